export const PT_BR: Record<string, string> = {};

// Node-RED settings for the side-by-side benchmark: no editor, no admin API, no telemetry,
// context in memory, warnings only. The port and the user folder come from the command line.
module.exports = {
    flowFile: "flows.json",
    flowFilePretty: true,
    credentialSecret: false,
    httpAdminRoot: false,
    httpNodeRoot: "/",
    uiHost: "127.0.0.1",
    contextStorage: { default: { module: "memory" } },
    diagnostics: { enabled: false, ui: false },
    telemetry: { enabled: false },
    runtimeState: { enabled: false, ui: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
    logging: { console: { level: "warn", metrics: false, audit: false } },
    functionExternalModules: false,
    editorTheme: { tours: false, projects: { enabled: false } },
};

"""The studio's back end: the API the visual flow editor talks to (docs/studio.md).

`workspace` reads and writes a bot folder (drafts, overlays for lint, gated atomic publishes),
`catalogue` derives the node kinds from the JSON Schemas, `semantic` compares flows node by node,
`chat` runs test chats on a virtual clock, `auth` decides who may call, `api` serves it all.
"""

// Names shared by package.json, the extension and the hotload server.

/**
 * The extension's own commands, as package.json contributes them. They must
 * differ from the server's commands: vscode-languageclient registers every
 * command of the server's executeCommandProvider as a VS Code command, and a
 * second registration of the same name would make the client fail to start.
 */
export const commands = {
  evaluateModule: "hotload.vscode.evaluateModule",
  evaluateSelection: "hotload.vscode.evaluateSelection",
  interruptRuntime: "hotload.vscode.interruptRuntime",
  restartRuntime: "hotload.vscode.restartRuntime",
  restartServer: "hotload.restart",
  showLog: "hotload.showLog",
  startApp: "hotload.vscode.startApp",
  stopApp: "hotload.vscode.stopApp",
  restartApp: "hotload.vscode.restartApp",
} as const;

/** The server's workspace/executeCommand commands (README, "Commands"). */
export const serverCommands = {
  evaluateModule: "hotload.evaluateModule",
  evaluateSelection: "hotload.evaluateSelection",
  interruptRuntime: "hotload.interruptRuntime",
  restartRuntime: "hotload.restartRuntime",
  startApp: "hotload.startApp",
  stopApp: "hotload.stopApp",
  restartApp: "hotload.restartApp",
} as const;

/** The server's notification of its runtime's state. */
export const statusNotification = "hotload/status";

/** The server's notification of a reload's result (a save, Evaluate Module). */
export const resultNotification = "hotload/result";

/** The configuration section: settings are hotload.*. */
export const section = "hotload";

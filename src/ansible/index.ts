export {
  ansibleConfigPath,
  ansibleDir,
  configSshArgs,
  defaultKnownHosts,
  formatCommand,
  playbookArgv,
  playbookCommand,
  playbookEnv,
  shellQuote,
  sshArgs,
} from './command.js';
export type { PlaybookCommand, PlaybookSpec } from './command.js';
export { parseEvent, type AnsibleEvent, type HostRecap } from './events.js';
export { extraVarsFileOf, runPlaybook, runPlaybookInTerminal, type PlaybookResult, type PlaybookRun } from './run.js';

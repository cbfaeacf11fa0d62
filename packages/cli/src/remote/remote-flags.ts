import type { Command } from 'commander';
import { resolveServerTarget } from '../config/credentials.js';
import { ApiClient } from './api-client.js';

export interface RemoteFlags {
  url?: string;
}

export const URL_OPTION_HELP = 'the server (default: HEARTH_URL or the saved login)';

/** Adds `--url` to a command that talks to the server. */
export function withUrlOption(command: Command): Command {
  return command.option('--url <url>', URL_OPTION_HELP);
}

export async function remoteClient(flags: RemoteFlags): Promise<ApiClient> {
  return ApiClient.for(await resolveServerTarget(flags));
}

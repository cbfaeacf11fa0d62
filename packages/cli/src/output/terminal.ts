import { styleText } from 'node:util';

type Style = 'red' | 'green' | 'yellow' | 'cyan' | 'dim' | 'bold';

/** Whether the process runs in CI: the convention most CI systems follow. */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** Colour only on a terminal, never with NO_COLOR (https://no-color.org) or TERM=dumb. */
export function colorEnabled(
  stream: NodeJS.WriteStream = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** Styles text for one output stream; plain text when that stream gets no colour. */
export class Painter {
  readonly enabled: boolean;

  constructor(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env) {
    this.enabled = colorEnabled(stream, env);
  }

  style(style: Style, text: string): string {
    // This painter already decided for its own stream; styleText would check stdout instead.
    return this.enabled ? styleText(style, text, { validateStream: false }) : text;
  }

  red = (text: string): string => this.style('red', text);
  green = (text: string): string => this.style('green', text);
  yellow = (text: string): string => this.style('yellow', text);
  cyan = (text: string): string => this.style('cyan', text);
  dim = (text: string): string => this.style('dim', text);
  bold = (text: string): string => this.style('bold', text);
}

export const stdoutPaint = (): Painter => new Painter(process.stdout);
export const stderrPaint = (): Painter => new Painter(process.stderr);

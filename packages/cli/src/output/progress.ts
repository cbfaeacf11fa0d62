import { inCi } from './terminal.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Short work finishes before the spinner would show, so fast commands stay quiet. */
const SHOW_AFTER_MS = 250;

/**
 * Runs `work` with a spinner on stderr, only on an interactive terminal and
 * never in CI; the spinner line is erased when the work ends.
 */
export async function withProgress<T>(label: string, work: () => Promise<T>): Promise<T> {
  const stream = process.stderr;
  if (stream.isTTY !== true || inCi()) return work();
  let frame = 0;
  let shown = false;
  const draw = () => {
    shown = true;
    stream.write(`\r${FRAMES[frame++ % FRAMES.length] ?? ''} ${label}`);
  };
  let interval: NodeJS.Timeout | undefined;
  const delay = setTimeout(() => {
    draw();
    interval = setInterval(draw, 80);
  }, SHOW_AFTER_MS);
  try {
    return await work();
  } finally {
    clearTimeout(delay);
    if (interval) clearInterval(interval);
    if (shown) stream.write('\r\u001b[2K');
  }
}

import { formatTime } from './format-time.ts';

/** An instant as the admin's local time, with the exact ISO value on hover and for machines. */
export function TimeStamp({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={iso}>
      {formatTime(iso)}
    </time>
  );
}

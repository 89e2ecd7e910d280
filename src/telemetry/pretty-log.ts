// Readable log lines for a terminal. A small formatter instead of pino-pretty:
// it runs in-process and synchronously (pino-pretty as a transport needs a
// worker thread), and a terminal needs nothing more than one line per record.

export interface LineSink {
  write(text: string): unknown;
}

const LEVEL_STYLE: Readonly<Record<string, { label: string; color: string }>> = {
  trace: { label: 'TRACE', color: '90' },
  debug: { label: 'DEBUG', color: '36' },
  info: { label: 'INFO ', color: '32' },
  warn: { label: 'WARN ', color: '33' },
  error: { label: 'ERROR', color: '31' },
  fatal: { label: 'FATAL', color: '35' },
};

// Shown in the line's head or dropped, so the tail holds only what varies.
const HEAD_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'service', 'method']);

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

/** One pino JSON record → `12:00:01.234 INFO  user.v1.UserService/GetUser call finished status=OK duration_ms=1.2`. */
export function formatRecord(record: Record<string, unknown>, color: boolean): string {
  const level = LEVEL_STYLE[String(record.level)] ?? { label: String(record.level).toUpperCase().padEnd(5), color: '0' };
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : new Date(Number(record.time)).toISOString().slice(11, 23);
  const where = record.service !== undefined
    ? `${String(record.service)}${record.method !== undefined ? `/${String(record.method)}` : ''} `
    : '';
  const fields = Object.entries(record)
    .filter(([key]) => !HEAD_KEYS.has(key))
    .map(([key, value]) => {
      if (key === 'err' && value && typeof value === 'object' && 'stack' in value) return `\n${String((value as { stack: unknown }).stack)}`;
      return `${key}=${formatValue(value)}`;
    })
    .join(' ');
  const head = color ? `\u001b[${level.color}m${level.label}\u001b[0m` : level.label;
  return `${time} ${head} ${where}${String(record.msg ?? '')}${fields ? ` ${fields}` : ''}\n`;
}

/** A pino destination that turns each JSON line into a readable one. */
export function prettyDestination(sink: LineSink, color: boolean): LineSink {
  return {
    write(line: string) {
      try {
        sink.write(formatRecord(JSON.parse(line) as Record<string, unknown>, color));
      } catch {
        sink.write(line);
      }
    },
  };
}

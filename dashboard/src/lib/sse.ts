// Reading an OpenAI-style chat completion stream (server-sent events).

export interface ChatChunk {
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens?: number } | null;
  error?: { message: string; code?: string | null };
}

/** SSEParser turns bytes into the JSON of each `data:` event; [DONE] ends it. */
export class SSEParser {
  private buf = '';
  private decoder = new TextDecoder();
  done = false;

  /** push feeds bytes (or text) and returns the events completed by them. */
  push(chunk: Uint8Array | string): ChatChunk[] {
    this.buf += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const out: ChatChunk[] = [];
    let i: number;
    // Events end with a blank line (\n\n, or \r\n\r\n).
    while ((i = this.buf.search(/\r?\n\r?\n/)) >= 0) {
      const raw = this.buf.slice(0, i);
      this.buf = this.buf.slice(i).replace(/^\r?\n\r?\n/, '');
      const data = raw
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (!data) continue;
      if (data === '[DONE]') {
        this.done = true;
        continue;
      }
      try {
        out.push(JSON.parse(data) as ChatChunk);
      } catch {
        /* a malformed event is skipped, not fatal */
      }
    }
    return out;
  }
}

/** byteSpans splits text at UTF-8 byte offsets (as the guardrail engine reports them). */
export function byteSpans(text: string, spans: { start: number; end: number; type: string }[]): { text: string; type?: string }[] {
  const enc = new TextEncoder().encode(text);
  const dec = new TextDecoder();
  const sorted = [...spans].filter((s) => s.start < s.end && s.end <= enc.length).sort((a, b) => a.start - b.start);
  const out: { text: string; type?: string }[] = [];
  let at = 0;
  for (const s of sorted) {
    if (s.start < at) continue; // overlapping: keep the first
    if (s.start > at) out.push({ text: dec.decode(enc.slice(at, s.start)) });
    out.push({ text: dec.decode(enc.slice(s.start, s.end)), type: s.type });
    at = s.end;
  }
  if (at < enc.length) out.push({ text: dec.decode(enc.slice(at)) });
  return out;
}

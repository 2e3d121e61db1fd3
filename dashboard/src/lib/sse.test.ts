import { describe, expect, it } from 'vitest';
import { byteSpans, SSEParser } from './sse';

describe('SSEParser', () => {
  it('reads events split anywhere across chunks, and [DONE]', () => {
    const p = new SSEParser();
    const all = 'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\ndata: {"choices":[{"delta":{"content":"lo"}}]}\r\n\r\n: keep-alive\n\ndata: [DONE]\n\n';
    const got: string[] = [];
    for (let i = 0; i < all.length; i += 7) {
      for (const c of p.push(new TextEncoder().encode(all.slice(i, i + 7)))) got.push(c.choices?.[0]?.delta?.content ?? '');
    }
    expect(got.join('')).toBe('Hello');
    expect(p.done).toBe(true);
  });
  it('decodes a multi-byte character split between chunks', () => {
    const p = new SSEParser();
    const bytes = new TextEncoder().encode('data: {"choices":[{"delta":{"content":"€"}}]}\n\n');
    const cut = bytes.indexOf(0xe2) + 1;
    expect(p.push(bytes.slice(0, cut))).toEqual([]);
    expect(p.push(bytes.slice(cut))[0].choices?.[0]?.delta?.content).toBe('€');
  });
  it('skips a malformed event', () => {
    expect(new SSEParser().push('data: {oops\n\ndata: {"usage":{"prompt_tokens":1,"completion_tokens":2}}\n\n')).toEqual([{ usage: { prompt_tokens: 1, completion_tokens: 2 } }]);
  });
});

describe('byteSpans', () => {
  it('cuts at UTF-8 byte offsets', () => {
    // "é" is two bytes: the e-mail starts at byte 7, not 6.
    const text = 'café: a@b.co ok';
    expect(byteSpans(text, [{ start: 7, end: 13, type: 'email' }])).toEqual([{ text: 'café: ' }, { text: 'a@b.co', type: 'email' }, { text: ' ok' }]);
  });
});

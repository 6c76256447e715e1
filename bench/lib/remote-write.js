import { request } from 'node:http';
/**
 * A Prometheus remote-write request body with no dependencies, the wire format that
 * shared/peers/remote_write.py sends: a protobuf WriteRequest
 *
 *   WriteRequest { repeated TimeSeries timeseries = 1; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }
 *
 * in the snappy block format, written as literals only (no back-references), which every snappy
 * decoder accepts: the body is a little larger than a compressor would make it, and that is all.
 */

/** `series`: [{ labels: {name: value}, timestamps: number[], values: Float64Array }]. */
export function encodeWriteRequest(series) {
  const out = new Writer();
  const ts = new Writer();
  const field = new Writer();
  for (const s of series) {
    ts.reset();
    for (const name of Object.keys(s.labels).sort()) {
      field.reset();
      field.string(1, name);
      field.string(2, s.labels[name]);
      ts.bytes(1, field.view());
    }
    for (let i = 0; i < s.timestamps.length; i++) {
      field.reset();
      field.double(1, s.values[i]);
      field.varintField(2, s.timestamps[i]);
      ts.bytes(2, field.view());
    }
    out.bytes(1, ts.view());
  }
  return snappyLiterals(out.view());
}

/**
 * Writes `series` (as encodeWriteRequest takes them) into the remote-write endpoint at `url`
 * (`<base>/api/v1/write`), `batch` series a request, in order; throws on the first answer that is
 * not a success, with its status and text. For loading a bench's data, not for measuring ingest.
 */
export async function writeSeries(url, series, batch = 500) {
  for (let i = 0; i < series.length; i += batch) {
    const response = await fetch(url, {
      method: 'POST',
      headers: REMOTE_WRITE_HEADERS,
      body: encodeWriteRequest(series.slice(i, i + batch)),
    });
    if (!response.ok) throw new Error(`remote write to ${url}: ${response.status} ${await response.text()}`);
  }
}

const REMOTE_WRITE_HEADERS = {
  'Content-Type': 'application/x-protobuf',
  'Content-Encoding': 'snappy',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
};

/** POSTs an encoded body to a remote-write endpoint with the protocol's headers; resolves with the status and body text. */
export function postRemoteWrite(agent, url, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...REMOTE_WRITE_HEADERS, 'Content-Length': body.length },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

class Writer {
  constructor() {
    this.buf = new Uint8Array(1024);
    this.len = 0;
    this.dv = new DataView(this.buf.buffer);
  }

  reset() {
    this.len = 0;
  }

  view() {
    return this.buf.subarray(0, this.len);
  }

  ensure(n) {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  /** Non-negative integers below 2^53. */
  varint(n) {
    this.ensure(10);
    while (n >= 128) {
      this.buf[this.len++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    this.buf[this.len++] = n;
  }

  varintField(num, n) {
    this.varint(num << 3);
    this.varint(n);
  }

  double(num, v) {
    this.varint((num << 3) | 1);
    this.ensure(8);
    this.dv.setFloat64(this.len, v, true);
    this.len += 8;
  }

  bytes(num, data) {
    this.varint((num << 3) | 2);
    this.varint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  string(num, text) {
    this.bytes(num, Buffer.from(text, 'utf8'));
  }
}

function snappyLiterals(data) {
  const out = new Writer();
  out.varint(data.length);
  for (let i = 0; i < data.length; i += 65536) {
    const chunk = data.subarray(i, i + 65536);
    const n = chunk.length - 1;
    out.ensure(3 + chunk.length);
    if (n < 60) {
      out.buf[out.len++] = n << 2;
    } else if (n < 256) {
      out.buf[out.len++] = 60 << 2;
      out.buf[out.len++] = n;
    } else {
      out.buf[out.len++] = 61 << 2;
      out.buf[out.len++] = n & 0xff;
      out.buf[out.len++] = n >> 8;
    }
    out.buf.set(chunk, out.len);
    out.len += chunk.length;
  }
  return out.view().slice();
}

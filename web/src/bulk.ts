/**
 * Bulk issue from a CSV file, in the agency console. Rows go out in chunks through
 * POST /api/v1/licenses/batch, each row with its own Idempotency-Key derived from the file (SHA-256
 * of its bytes) and the row number, so sending a row again — after a reload, a lost connection or a
 * second click, in a batch or alone — replays the first answer and never issues twice. Progress is kept in localStorage under the file's hash: choosing the same
 * file after a reload resumes where it stopped. The result file lists every row.
 *
 * The header row names the fields as the type's schema does (`holder.name`, `data.sex`,
 * `validUntil`…); a `type` column is optional when the agency issues one type. An empty cell is
 * left out, or null where the schema allows null (a long-term validUntil).
 */
import { parseCsv, toCsv } from './csv';
import { ApiFailure, api, clear, currentLang, h, statusLine, stored, t, type ApiError } from './common';
import type { JsonSchema } from './schema-form';

interface TypeInfo {
  id: string;
  names: { zh: string; en: string };
  schema: JsonSchema;
}

/** One result per row: `ok <licenseId>` or `error <code> <field> <message>`, kept compact for localStorage. */
interface Run {
  fileName: string;
  total: number;
  results: Array<string | null>;
}

/**
 * Rows per batch request and batches in flight. A batch is answered once its anchors commit, and
 * the server group-commits concurrent anchors into one ledger transaction: 2 × 100 rows keep the
 * batcher fed while one batch's answer travels back. Measured with test/e2e/bulk.test.ts.
 */
const CHUNK_ROWS = 100;
const IN_FLIGHT = 2;
/** Half the batch route's 1 MB body limit, so a chunk of long rows never meets it (one row is at most 64 KB). */
const CHUNK_BYTES = 512 * 1024;
const LAST_RUN = 'elicense.bulk.last';
/** Answers worth another try with the same key: the ledger or store was busy or away. */
const RETRYABLE = new Set([0, 409, 429, 500, 502, 503, 504]);

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function loadRun(hash: string): Run | null {
  const raw = stored(`elicense.bulk.${hash}`);
  try {
    return raw ? (JSON.parse(raw) as Run) : null;
  } catch {
    // A damaged entry: the file starts over, its rows' keys make that harmless.
    return null;
  }
}

function saveRun(hash: string, run: Run): void {
  try {
    localStorage.setItem(`elicense.bulk.${hash}`, JSON.stringify(run));
    localStorage.setItem(LAST_RUN, hash);
  } catch {
    // Storage full: the run goes on; a reload would resend rows, which their keys make harmless.
  }
}

function nullablePaths(schema: JsonSchema, prefix = ''): Set<string> {
  const paths = new Set<string>();
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (child.anyOf?.some((option) => option.type === 'null')) paths.add(path);
    for (const inner of nullablePaths(child, path)) paths.add(inner);
  }
  return paths;
}

function numericPaths(schema: JsonSchema, prefix = ''): Set<string> {
  const paths = new Set<string>();
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (child.type === 'number' || child.type === 'integer') paths.add(path);
    for (const inner of numericPaths(child, path)) paths.add(inner);
  }
  return paths;
}

/** A CSV row as an issue request, by the header's field paths and the type's schema. */
export function rowToRequest(header: string[], cells: string[], fallbackType: string, types: TypeInfo[]): Record<string, unknown> {
  const typeColumn = header.indexOf('type');
  const typeId = (typeColumn >= 0 ? cells[typeColumn] : undefined) || fallbackType;
  const schema = types.find((type) => type.id === typeId)?.schema ?? {};
  const nullable = nullablePaths(schema);
  const numeric = numericPaths(schema);
  const body: Record<string, unknown> = { type: typeId };
  header.forEach((path, index) => {
    if (path === 'type' || path === '') return;
    const cell = (cells[index] ?? '').trim();
    let value: unknown = cell;
    if (cell === '') {
      if (!nullable.has(path)) return;
      value = null;
    } else if (numeric.has(path)) value = Number(cell);
    const names = path.split('.');
    let node = body;
    for (const name of names.slice(0, -1)) node = (node[name] ??= {}) as Record<string, unknown>;
    node[names[names.length - 1] ?? path] = value;
  });
  return body;
}

function summary(run: Run): { done: number; ok: number; failed: number } {
  let done = 0;
  let ok = 0;
  for (const result of run.results) {
    if (result === null) continue;
    done++;
    if (result.startsWith('ok ')) ok++;
  }
  return { done, ok, failed: done - ok };
}

function resultFile(run: Run): string {
  const rows: string[][] = [['row', 'result', 'licenseId', 'code', 'field', 'message']];
  run.results.forEach((result, index) => {
    const row = String(index + 1);
    if (result === null) rows.push([row, 'not-sent', '', '', '', '']);
    else if (result.startsWith('ok ')) rows.push([row, 'issued', result.slice(3), '', '', '']);
    else {
      const [, code = '', field = '', ...message] = result.split('\t');
      rows.push([row, 'refused', '', code, field, message.join('\t')]);
    }
  });
  return toCsv(rows);
}

interface Pending {
  index: number;
  body: Record<string, unknown>;
}

/** One item of the batch's answer: the status and body POST /api/v1/licenses would have sent. */
interface ItemAnswer {
  status: number;
  body: unknown;
}

function rowKey(hash: string, index: number): string {
  return `bulk-${hash.slice(0, 32)}-${index + 1}`;
}

/** A failed request answers for each of its rows. */
function failedRequest(error: unknown, count: number): ItemAnswer[] {
  const failure: ApiError = error instanceof ApiFailure ? error.error : { status: 0, code: 'NETWORK', message: String(error) };
  return Array.from({ length: count }, () => ({ status: failure.status, body: { error: failure } }));
}

/**
 * Sends one chunk; rows whose answer is worth another try go again with the same keys, so a row
 * the server finished while its answer was lost is replayed, not issued twice. Each row's result
 * line is reported through `done` as soon as it is final.
 */
async function sendChunk(key: string, hash: string, rows: Pending[], done: (index: number, result: string) => void): Promise<void> {
  let pending = rows;
  for (let attempt = 0; pending.length > 0; attempt++) {
    const items = pending.map((row) => ({ idempotencyKey: rowKey(hash, row.index), request: row.body }));
    const answers = await api<{ results: ItemAnswer[] }>('POST', '/api/v1/licenses/batch', { key, body: { items } }).then(
      (reply) => reply.results,
      (error: unknown) => failedRequest(error, pending.length),
    );
    const retry: Pending[] = [];
    pending.forEach((row, i) => {
      const answer = answers[i] ?? { status: 0, body: null };
      if (answer.status === 201) {
        done(row.index, `ok ${(answer.body as { licenseId: string }).licenseId}`);
        return;
      }
      const error = (answer.body as { error?: Partial<ApiError> } | null)?.error ?? {};
      const code = error.code ?? `HTTP_${String(answer.status)}`;
      if (RETRYABLE.has(answer.status) && code !== 'IDEMPOTENCY_CONFLICT' && attempt < 8) retry.push(row);
      else done(row.index, `error\t${code}\t${error.field ?? ''}\t${(error.message ?? '').replace(/\s+/g, ' ')}`);
    });
    pending = retry;
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 5000)));
  }
}

export function bulkSection(key: string, allowed: string[], types: TypeInfo[]): HTMLElement {
  const own = types.filter((type) => allowed.includes(type.id));
  const typeSelect = h(
    'select',
    { id: 'bulk-type' },
    ...own.map((type) => h('option', { value: type.id }, currentLang() === 'en' ? type.names.en : type.names.zh)),
  );
  const file = h('input', { id: 'bulk-file', type: 'file', accept: '.csv,text/csv', 'aria-describedby': 'bulk-help' });
  const progress = h('progress', { id: 'bulk-progress', max: 1, value: 0, 'aria-labelledby': 'bulk-progress-label' });
  const progressLabel = h('p', { id: 'bulk-progress-label', role: 'status', 'aria-live': 'polite' }, t('bulk.idle'));
  const start = h('button', { type: 'button', class: 'primary', id: 'bulk-start', disabled: true }, t('bulk.start'));
  const pause = h('button', { type: 'button', class: 'secondary', id: 'bulk-pause', disabled: true }, t('bulk.pause'));
  const download = h('div', { id: 'bulk-download' });
  const note = statusLine();
  let current: { hash: string; run: Run; header: string[]; rows: string[][] } | null = null;
  let paused = false;

  const show = () => {
    if (!current) return;
    const { done, ok, failed } = summary(current.run);
    progress.max = current.run.total;
    progress.value = done;
    progressLabel.textContent = t('bulk.progress', { done, total: current.run.total, ok, failed });
  };

  const offerDownload = () => {
    if (!current) return;
    const blob = new Blob([resultFile(current.run)], { type: 'text/csv;charset=utf-8' });
    const name = current.run.fileName.replace(/\.csv$/i, '') + '-results.csv';
    clear(download, h('a', { href: URL.createObjectURL(blob), download: name, class: 'button primary', id: 'bulk-result' }, t('bulk.download')));
  };

  const runAll = async () => {
    const active = current;
    if (!active) return;
    paused = false;
    note.textContent = t('bulk.running');
    start.disabled = true;
    pause.disabled = false;
    let next = 0;
    let lastSave = 0;
    const persist = (force: boolean) => {
      if (force || Date.now() - lastSave > 500) {
        saveRun(active.hash, active.run);
        lastSave = Date.now();
      }
    };
    const encoder = new TextEncoder();
    /** The next rows without a result, up to CHUNK_ROWS and CHUNK_BYTES of requests. */
    const nextChunk = (): Pending[] => {
      const chunk: Pending[] = [];
      let bytes = 0;
      for (; next < active.rows.length && chunk.length < CHUNK_ROWS; next++) {
        if (active.run.results[next] !== null && active.run.results[next] !== undefined) continue;
        const body = rowToRequest(active.header, active.rows[next] ?? [], typeSelect.value, types);
        const size = encoder.encode(JSON.stringify(body)).length;
        if (chunk.length > 0 && bytes + size > CHUNK_BYTES) break;
        chunk.push({ index: next, body });
        bytes += size;
      }
      return chunk;
    };
    const worker = async () => {
      for (;;) {
        if (paused) return;
        const chunk = nextChunk();
        if (chunk.length === 0) return;
        await sendChunk(key, active.hash, chunk, (index, result) => {
          active.run.results[index] = result;
        });
        persist(false);
        show();
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    persist(true);
    show();
    pause.disabled = true;
    start.disabled = false;
    const { done } = summary(active.run);
    if (done === active.run.total) {
      note.textContent = t('bulk.finished');
      offerDownload();
    } else note.textContent = t('bulk.paused');
  };

  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    void chosen.arrayBuffer().then(async (bytes) => {
      const hash = await sha256Hex(bytes);
      const [header = [], ...rows] = parseCsv(new TextDecoder().decode(bytes)).filter((row) => row.some((cell) => cell.trim() !== ''));
      const saved = loadRun(hash);
      const run: Run = saved?.total === rows.length ? saved : { fileName: chosen.name, total: rows.length, results: rows.map(() => null) };
      current = { hash, run, header: header.map((name) => name.trim()), rows };
      saveRun(hash, run);
      const { done } = summary(run);
      note.textContent = done > 0 ? t('bulk.resumable', { done, total: run.total }) : t('bulk.ready', { total: run.total });
      start.textContent = done > 0 ? t('bulk.resume') : t('bulk.start');
      start.disabled = false;
      clear(download);
      show();
      if (done === run.total) offerDownload();
    });
  });
  start.addEventListener('click', () => void runAll());
  pause.addEventListener('click', () => {
    paused = true;
  });

  const last = stored(LAST_RUN);
  const lastRun = last ? loadRun(last) : null;
  if (lastRun) {
    const { done } = summary(lastRun);
    if (done < lastRun.total) note.textContent = t('bulk.unfinished', { name: lastRun.fileName, done, total: lastRun.total });
  }

  return h(
    'section',
    { class: 'card', id: 'bulk', 'aria-labelledby': 'bulk-title' },
    h('h2', { id: 'bulk-title' }, t('bulk.title')),
    h('p', { class: 'help', id: 'bulk-help' }, t('bulk.help')),
    h('label', { for: 'bulk-type' }, t('bulk.defaultType')),
    typeSelect,
    h('label', { for: 'bulk-file' }, t('bulk.file')),
    file,
    note,
    progress,
    progressLabel,
    h('div', { class: 'row' }, start, pause),
    download,
  );
}

/**
 * A small tus 1.0 client (creation + PATCH in chunks, resumes from HEAD after a failure).
 * XMLHttpRequest because fetch cannot report upload progress.
 */
const CHUNK = 4 * 1024 * 1024;

function xhr(method: string, url: string, headers: Record<string, string>, body?: Blob, onProgress?: (sent: number) => void) {
  return new Promise<XMLHttpRequest>((resolve, reject) => {
    const r = new XMLHttpRequest();
    r.open(method, url);
    r.withCredentials = true;
    for (const [k, v] of Object.entries({ 'tus-resumable': '1.0.0', ...headers })) r.setRequestHeader(k, v);
    if (onProgress) r.upload.onprogress = (e) => onProgress(e.loaded);
    r.onload = () => resolve(r);
    r.onerror = () => reject(new Error('network'));
    r.send(body ?? null);
  });
}

export class UploadError extends Error {}

/** Uploads `file`; resolves with the upload id for `POST /videos { uploadId }`. */
export async function tusUpload(file: File, onProgress: (fraction: number) => void): Promise<string> {
  const meta = `filename ${btoa(unescape(encodeURIComponent(file.name)))}`;
  const created = await xhr('POST', '/api/v1/uploads', { 'upload-length': String(file.size), 'upload-metadata': meta });
  if (created.status !== 201) throw new UploadError(problemDetail(created) ?? 'The upload could not start.');
  const location = created.getResponseHeader('location')!;
  let offset = 0;
  let failures = 0;
  while (offset < file.size) {
    try {
      const r = await xhr(
        'PATCH',
        location,
        { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
        file.slice(offset, offset + CHUNK),
        (sent) => onProgress(Math.min(1, (offset + sent) / file.size)),
      );
      if (r.status === 204) {
        offset = Number(r.getResponseHeader('upload-offset'));
        failures = 0;
        onProgress(offset / file.size);
        continue;
      }
      if (r.status !== 409) throw new UploadError(problemDetail(r) ?? 'The upload failed.');
    } catch (err) {
      if (err instanceof UploadError || ++failures > 5) throw err;
      await new Promise((res) => setTimeout(res, 1000 * failures));
    }
    // Out of step (or the network dropped): ask the server where it is and go on from there.
    const head = await xhr('HEAD', location, {});
    offset = Number(head.getResponseHeader('upload-offset') ?? 0);
  }
  return location.split('/').pop()!;
}

function problemDetail(r: XMLHttpRequest): string | null {
  try {
    return JSON.parse(r.responseText).detail ?? null;
  } catch {
    return null;
  }
}

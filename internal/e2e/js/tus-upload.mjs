// Uploads a file to ferry with tus-js-client, aborting after the first
// chunk and resuming from the upload URL, as a browser or app does after a
// network drop. Prints one JSON line: the upload URL, the offset the server
// reported before resuming, and the final offset.
//
// Environment: FERRY_URL, FERRY_TOKEN, FILE, TO.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import * as tus from "tus-js-client";

const endpoint = process.env.FERRY_URL + "/api/v1/uploads/";
const headers = { Authorization: "Bearer " + process.env.FERRY_TOKEN };
const data = readFileSync(process.env.FILE);
const chunkSize = 256 * 1024;

function upload(uploadUrl, stopAfterFirstChunk) {
  return new Promise((resolve, reject) => {
    const up = new tus.Upload(data, {
      endpoint,
      uploadUrl,
      headers,
      chunkSize,
      retryDelays: [],
      storeFingerprintForResuming: false,
      metadata: { filename: basename(process.env.FILE), to: process.env.TO },
      onChunkComplete(size, sent) {
        if (stopAfterFirstChunk) {
          up.abort(false).then(() => resolve({ url: up.url, sent }));
        }
      },
      onError: reject,
      onSuccess: () => resolve({ url: up.url, sent: data.length }),
    });
    up.start();
  });
}

const first = await upload(null, true);
const head = await fetch(first.url, { method: "HEAD", headers: { ...headers, "Tus-Resumable": "1.0.0" } });
const serverOffset = Number(head.headers.get("upload-offset"));
const second = await upload(first.url, false);
console.log(JSON.stringify({ url: first.url, abortedAt: first.sent, serverOffset, finalOffset: second.sent, sameUrl: second.url === first.url }));

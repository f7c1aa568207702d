// Package s3 is the ferry.BlobStore on an S3-compatible object store (AWS
// S3, MinIO, Ceph RGW, SeaweedFS, Versity), so that stateless ferry nodes
// behind a load balancer share one store: an upload started on one node
// continues on any other, even after the first one died.
//
// # Keys
//
// Under Config.Prefix the bucket holds:
//
//	uploads/<id>.info        the state of an upload (JSON): its multipart
//	                         upload, the parts that count, its tail
//	uploads/<id>.tail.<rnd>  the tail: bytes after the last part, < 5 MiB
//	data/<rnd>               the object a multipart upload completes into:
//	                         a blob's content
//	blobs/<sha256>           a blob: a small pointer (JSON) to its data/ object
//
// # Why it is built this way
//
// Nothing is kept in a node. Every Append reads the state first, so the
// offset is checked against what any node last stored, and writes it back
// conditionally (If-Match), so a node that lost an upload to another (a
// client that reconnected elsewhere while its old connection hung) gets
// 2004 instead of overwriting it. Bytes are written before the state that
// names them: a crash or a failure at any point leaves the upload at the
// size the last state says, and parts sent by a failed or discarded call
// are overwritten by the next, or left out when the upload completes.
//
// S3 parts are at least 5 MiB (but the last), and a tus chunk may be a few
// KiB. A chunk that ends short of a part is kept durably in the bucket as
// the upload's tail object, not in memory, and merged into the next part;
// a leftover of 5 MiB or more is sent as a part of its own, so the tail
// that each small chunk reads back and rewrites stays under 5 MiB. Parts
// are assembled in files in Config.TempDir (by default 16 MiB, up to
// Concurrency+1 files per Append) and sent while the next fills: an
// upload's heap stays at one 1 MiB copy buffer however large it is, and
// the kernel's page cache, not the Go heap, absorbs the parts in flight.
// With 16 MiB parts an upload may reach 156 GiB (10 000 parts); chunks
// that end between 5 and 16 MiB make smaller parts, and lower that limit.
//
// S3 cannot read parts before the multipart upload is completed, nor
// rename an object, and copying a large blob server-side costs as much as
// uploading it again. So OpenUpload (which ferry calls to hash an upload
// once all of it arrived) completes the multipart upload in place, into
// its data/ object, and Commit then only writes blobs/<sha256> pointing at
// it, with If-None-Match so that of two uploads of the same content
// committed at once one wins and the other is deleted; content stored
// already makes Commit drop the upload. Open reads the pointer and then
// the object in ranged GETs from wherever the reader has sought to.
//
// Request bodies go as UNSIGNED-PAYLOAD unless Config.SignPayload: TLS
// protects them on HTTPS, and ferry verifies the SHA-256 of every upload,
// read back from the bucket, before committing it.
//
// # Pointing it at a server
//
// AWS S3: Bucket and Region; no Endpoint (or https://s3.REGION.amazonaws.com),
// PathStyle off; keys from the configuration, the environment
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the shared
// credentials file or the instance's role.
//
// MinIO: Endpoint "http(s)://minio:9000", PathStyle on (unless MINIO_DOMAIN
// is set up for virtual hosts), Region "us-east-1" unless MinIO's region is
// set otherwise.
//
// Ceph RGW: Endpoint of the gateway, PathStyle on unless rgw_dns_name is
// configured, Region the zonegroup's api_name ("default" on a fresh
// cluster; RGW accepts "us-east-1" too unless configured strictly).
//
// SeaweedFS: Endpoint of its S3 gateway ("http://seaweed:8333"), PathStyle
// on, Region "us-east-1".
//
// Versity S3 gateway: Endpoint "http://host:7070", PathStyle on, Region
// its --region ("us-east-1").
//
// Servers that refuse conditional writes as not implemented get plain ones
// (the store notices and stops asking); two nodes racing on one upload are
// then caught only when the upload completes, by its parts' ETags. Give
// the bucket a lifecycle rule that aborts incomplete multipart uploads
// after a few days: the sweeper removes the uploads it knows, the rule
// what a crash between two writes left behind.
//
// The store does not lock uploads: the caller serialises the calls on one
// upload ID (see transfer.Locker), and the blob index serialises Commit and
// Delete on one blob. Calls on different IDs and blobs run concurrently.
package s3

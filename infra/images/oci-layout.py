#!/usr/bin/env python3
"""Wraps a root filesystem tarball (mmdebstrap's) as a one-layer OCI image layout, for skopeo to push.

oci-layout.py ROOTFS.tar LAYOUT_DIR TAG: the layer is the tarball gzipped; the config names linux/amd64, the rootfs's
diff id and a PATH. The image carries no .NET: the services are published self-contained onto it.
"""
import gzip, hashlib, json, os, shutil, sys

rootfs, layout, tag = sys.argv[1:4]
blobs = os.path.join(layout, "blobs", "sha256")
os.makedirs(blobs, exist_ok=True)


def store(data: bytes, media_type: str) -> dict:
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, digest), "wb") as f:
        f.write(data)
    return {"mediaType": media_type, "digest": "sha256:" + digest, "size": len(data)}


# The diff id is the digest of the uncompressed layer; mtime 0 keeps the gzip stream the same for the same tarball.
diff = hashlib.sha256()
staged = os.path.join(layout, "layer.tar.gz")
with open(rootfs, "rb") as src, open(staged, "wb") as raw:
    with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as out:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            diff.update(chunk)
            out.write(chunk)
layer_digest = hashlib.sha256()
with open(staged, "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        layer_digest.update(chunk)
layer = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + layer_digest.hexdigest(),
         "size": os.path.getsize(staged)}
shutil.move(staged, os.path.join(blobs, layer_digest.hexdigest()))

config = store(json.dumps({
    "architecture": "amd64", "os": "linux",
    "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff.hexdigest()]},
}).encode(), "application/vnd.oci.image.config.v1+json")
manifest = store(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                             "config": config, "layers": [layer]}).encode(), "application/vnd.oci.image.manifest.v1+json")
manifest["annotations"] = {"org.opencontainers.image.ref.name": tag}
with open(os.path.join(layout, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [manifest]}, f)
with open(os.path.join(layout, "oci-layout"), "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)

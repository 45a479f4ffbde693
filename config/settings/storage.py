"""Where the portal keeps its files: uploaded evidence, cell minutes, review documents, import files and the
generated reports.

The embedded default is the file system under MEDIA_ROOT, which serves one machine. When
DJANGO_STORAGE_S3_BUCKET is set they go to that bucket of an S3-compatible object store (MinIO, Ceph, AWS S3)
instead, so that web and worker processes on different hosts read and write the same files.

Either way the files are private: people get them only through the portal's download views, which ask the
access module first. Nothing links to the bucket: its objects are written with a private ACL, and the URL
django-storages would build for one (the portal never asks for it) is signed and lapses within a minute.
"""

from typing import Any

import environ

FILE_SYSTEM_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_BACKEND = "storages.backends.s3.S3Storage"
# A download is read from the bucket into memory up to this size, beyond it into a temporary file.
S3_MAX_MEMORY_BYTES = 5 * 1024 * 1024
# Seconds a signed URL stays valid, should anything ever ask for one.
S3_SIGNED_URL_SECONDS = 60


def default_storage(env: environ.Env) -> dict[str, Any]:
    """STORAGES["default"] from the environment (the variables are described in .env.example)."""
    bucket = env("DJANGO_STORAGE_S3_BUCKET", default="")
    if not bucket:
        return {"BACKEND": FILE_SYSTEM_BACKEND}
    endpoint_url = env("DJANGO_STORAGE_S3_ENDPOINT_URL", default="")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,
        "region_name": env("DJANGO_STORAGE_S3_REGION", default="") or None,
        # Empty: boto3 finds credentials itself (AWS_ACCESS_KEY_ID, ~/.aws, an instance or pod role).
        "access_key": env("DJANGO_STORAGE_S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env("DJANGO_STORAGE_S3_SECRET_ACCESS_KEY", default="") or None,
        # MinIO and Ceph answer at one host name, the bucket in the path; AWS wants the bucket in the host name.
        "addressing_style": env("DJANGO_STORAGE_S3_ADDRESSING_STYLE", default="path" if endpoint_url else "virtual"),
        "signature_version": "s3v4",
        # Keys under this prefix, so that one bucket may serve several portals or environments.
        "location": env("DJANGO_STORAGE_S3_PREFIX", default=""),
        # Empty sends no ACL: for buckets whose ACLs are turned off (objects belong to the bucket's owner).
        "default_acl": env("DJANGO_STORAGE_S3_ACL", default="private") or None,
        "querystring_auth": True,
        "querystring_expire": S3_SIGNED_URL_SECONDS,
        # As on the file system: a name already taken gets a suffix, never overwrites another's file.
        "file_overwrite": False,
        "max_memory_size": S3_MAX_MEMORY_BYTES,
    }
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}

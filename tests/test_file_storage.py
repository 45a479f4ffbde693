"""Where the portal keeps its files: the file system unless the environment names an S3-compatible bucket."""

import environ
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage, storages
from storages.backends.s3 import S3Storage

from config.settings.storage import FILE_SYSTEM_BACKEND, S3_BACKEND
from config.settings.storage import default_storage as storage_setting

S3_VARIABLES = (
    "DJANGO_STORAGE_S3_BUCKET",
    "DJANGO_STORAGE_S3_ENDPOINT_URL",
    "DJANGO_STORAGE_S3_REGION",
    "DJANGO_STORAGE_S3_ACCESS_KEY_ID",
    "DJANGO_STORAGE_S3_SECRET_ACCESS_KEY",
    "DJANGO_STORAGE_S3_ADDRESSING_STYLE",
    "DJANGO_STORAGE_S3_PREFIX",
    "DJANGO_STORAGE_S3_ACL",
)


@pytest.fixture
def no_bucket(monkeypatch):
    for variable in S3_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


def test_without_a_bucket_the_files_are_on_the_file_system_under_media_root(no_bucket, settings, tmp_path):
    assert storage_setting(environ.Env()) == {"BACKEND": FILE_SYSTEM_BACKEND}
    settings.MEDIA_ROOT = tmp_path
    assert settings.STORAGES["default"]["BACKEND"] == FILE_SYSTEM_BACKEND
    assert isinstance(storages["default"], FileSystemStorage)
    name = default_storage.save("evidence/bien-ban.pdf", ContentFile(b"%PDF-1.7"))
    assert (tmp_path / name).read_bytes() == b"%PDF-1.7"


def test_a_bucket_puts_the_files_in_s3_privately_and_never_overwrites(no_bucket, monkeypatch):
    monkeypatch.setenv("DJANGO_STORAGE_S3_BUCKET", "portal-files")
    monkeypatch.setenv("DJANGO_STORAGE_S3_ENDPOINT_URL", "https://minio.portal.internal:9000")
    monkeypatch.setenv("DJANGO_STORAGE_S3_ACCESS_KEY_ID", "portal")
    monkeypatch.setenv("DJANGO_STORAGE_S3_SECRET_ACCESS_KEY", "secret")
    setting = storage_setting(environ.Env())
    assert setting["BACKEND"] == S3_BACKEND
    options = setting["OPTIONS"]
    assert options["bucket_name"] == "portal-files"
    assert options["endpoint_url"] == "https://minio.portal.internal:9000"
    assert (options["access_key"], options["secret_key"]) == ("portal", "secret")
    # One host name for every bucket, as MinIO and Ceph serve them.
    assert options["addressing_style"] == "path"
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True and options["querystring_expire"] <= 60
    assert options["file_overwrite"] is False
    assert options.get("custom_domain") is None
    # django-storages accepts every option as named (it refuses an unknown one); nothing is reached yet.
    storage = S3Storage(**options)
    assert (storage.bucket_name, storage.endpoint_url, storage.default_acl) == (
        "portal-files",
        "https://minio.portal.internal:9000",
        "private",
    )


def test_on_aws_the_bucket_is_in_the_host_name_and_credentials_come_from_boto3(no_bucket, monkeypatch):
    monkeypatch.setenv("DJANGO_STORAGE_S3_BUCKET", "portal-files")
    monkeypatch.setenv("DJANGO_STORAGE_S3_REGION", "ap-southeast-1")
    monkeypatch.setenv("DJANGO_STORAGE_S3_ACL", "")
    options = storage_setting(environ.Env())["OPTIONS"]
    assert options["endpoint_url"] is None
    assert options["region_name"] == "ap-southeast-1"
    assert options["addressing_style"] == "virtual"
    assert options["access_key"] is None and options["secret_key"] is None
    assert options["default_acl"] is None

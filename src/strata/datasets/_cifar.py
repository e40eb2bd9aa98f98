"""Reading the CIFAR datasets' *binary* archives (never the pickled "python version").

Each record of a batch file is the label byte(s) followed by 3,072 pixel bytes: 1,024 red, then
1,024 green, then 1,024 blue values of a 32x32 image in row-major order. The archive is
checked (MD5), and only the expected regular members are read, with their sizes checked.
"""

from __future__ import annotations

import tarfile

import numpy as np

from strata.backend import image_data_format
from strata.datasets._files import locate
from strata.utils.file_io import get_file, verify_file

PIXELS = 3 * 32 * 32


def archive_path(folder_name, filename, origin, md5, path):
    folder, is_cache = locate(folder_name, path)
    if path is not None and folder.is_file():
        file = folder
    else:
        file = folder / filename
        if is_cache:
            get_file(filename, origin, md5, cache_dir=folder, cache_subdir="")
        elif not file.is_file():
            raise FileNotFoundError(f"{folder_name} expected the archive {file}; it is absent.")
    verify_file(file, md5, what=f"{folder_name} archive {file}")
    return file


def read_batches(file, members, label_bytes):
    """Images `(n, 32, 32, 3)` (channels_first if that is the image format) and labels."""
    records = []
    with tarfile.open(file, "r:gz") as archive:
        found = {info.name.split("/", 1)[-1]: info for info in archive.getmembers()}
        for member in members:
            info = found.get(member)
            if info is None or not info.isfile():
                raise ValueError(f"{file}: expected a file {member} in the archive.")
            record = label_bytes + PIXELS
            if info.size == 0 or info.size % record:
                raise ValueError(
                    f"{file}: {member} expected whole records of {record} bytes; it holds "
                    f"{info.size} bytes."
                )
            data = archive.extractfile(info).read()
            records.append(np.frombuffer(data, np.uint8).reshape(-1, label_bytes + PIXELS))
    table = np.concatenate(records)
    labels = table[:, :label_bytes]
    images = table[:, label_bytes:].reshape(-1, 3, 32, 32)
    if image_data_format() == "channels_last":
        images = images.transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels.copy()

"""Checks `vidi index export --format parquet` with an independent reader (pyarrow) against the .npy export.

Usage (pyarrow in the reference venv: `pip install pyarrow`):
  vidi index export INDEX --out DIR            # pooled.npy + ids.txt
  vidi index export INDEX --out DIR --format parquet
  "$(Tools/reference-venv.sh)" Tools/retrieval/check_parquet_export.py DIR
Exits 1 with the difference when the table does not hold exactly the .npy export's ids and vectors.
"""
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def main(folder):
    table = pq.read_table(f"{folder}/pooled.parquet")
    pooled = np.load(f"{folder}/pooled.npy")
    with open(f"{folder}/ids.txt", encoding="utf-8") as f:
        ids = f.read().split("\n")[:-1]
    problems = []
    if table.schema.names != ["id", "vector"]:
        problems.append(f"columns {table.schema.names}, expected ['id', 'vector']")
    if table.schema.field("id").type != pa.string():
        problems.append(f"id is {table.schema.field('id').type}")
    if table.column("id").to_pylist() != ids:
        problems.append("ids differ from ids.txt")
    vectors = table.column("vector").cast(pa.list_(pa.float32(), pooled.shape[1]))
    values = np.asarray(vectors.combine_chunks().flatten(), dtype=np.float32).reshape(-1, pooled.shape[1])
    if values.shape != pooled.shape or not np.array_equal(values, pooled):
        problems.append(f"vectors {values.shape} differ from pooled.npy {pooled.shape}")
    metadata = pq.ParquetFile(f"{folder}/pooled.parquet").metadata
    codecs = {metadata.row_group(0).column(c).compression for c in range(metadata.num_columns)}
    print(f"{folder}/pooled.parquet: {table.num_rows} rows x {pooled.shape[1]} floats, "
          f"{metadata.num_row_groups} row group, compression {sorted(codecs)}, created by {metadata.created_by}")
    for p in problems:
        print("MISMATCH:", p)
    print("OK: pyarrow reads the same ids and vectors as the .npy export" if not problems else "FAILED")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))

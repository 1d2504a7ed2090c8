"""``incident-nb analyze`` of logs read where they are (HTTP, S3) against the same local file.

In one run, on one generated JSONL service log (default 500k lines), each command a fresh
subprocess (start-up included):
- ``analyze --json`` of the local file (the baseline), of the same file over ``http://`` from a
  local server with byte ranges, and from an S3 API (moto on 127.0.0.1, so this measures the
  client's overhead plus moto's, not a real network);
- the same for the gzip-compressed file;
- the bytes the HTTP server sent for each, as a multiple of the file's size (the file is read
  by DuckDB's parse and by the line count beside it).

Usage: python bench/bench_remote.py [--lines N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import boto3
from bench_analyze import generate, timed
from moto.server import ThreadedMotoServer

from tests.file_server import FileServer


def analyze(exe: str, location: str, warm: Path) -> tuple[float, dict[str, object]]:
    """Wall seconds of ``analyze --json`` of ``location``, and its summary."""
    done = subprocess.run(
        [exe, "analyze", "--logs", location, "--json"], capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"analyze {location} failed: {done.stderr}")
    wall, _ = timed([exe, "analyze", "--logs", location, "--json"], warm)
    return wall, json.loads(done.stdout)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=500_000)
    args = parser.parse_args()
    exe = str(Path(sys.executable).parent / "incident-nb")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        log = folder / "service.jsonl"
        generate(log, args.lines)
        packed = folder / "service.jsonl.gz"
        with log.open("rb") as src, gzip.open(packed, "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst)
        print(
            f"log: {args.lines:,} lines, {log.stat().st_size / 1e6:.0f} MB "
            f"({packed.stat().st_size / 1e6:.0f} MB gzip)"
        )
        http = FileServer(folder)
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        moto.start()
        host, port = moto.get_host_and_port()
        os.environ.update(
            AWS_ENDPOINT_URL=f"http://{host}:{port}",
            AWS_ACCESS_KEY_ID="bench",
            AWS_SECRET_ACCESS_KEY="bench",
            AWS_REGION="us-east-1",
        )
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="logs")
        for path in (log, packed):
            s3.upload_file(str(path), "logs", path.name)
        try:
            for path in (log, packed):
                base, truth = analyze(exe, str(path), path)
                print(f"{path.name}: local {base:.2f} s")
                for where in (f"{http.url}/{path.name}", f"s3://logs/{path.name}"):
                    http.served.clear()
                    wall, summary = analyze(exe, where, path)
                    same = all(summary[k] == truth[k] for k in ("lines", "onset", "endpoints"))
                    sent = sum(http.served) / 2 / path.stat().st_size  # two runs above
                    extra = f", {sent:.2f}x the file sent" if where.startswith("http") else ""
                    print(
                        f"  {where.split('://')[0]:>4}: {wall:.2f} s = {wall / base:.2f}x local"
                        f"{extra}; same analysis: {same}"
                    )
        finally:
            http.close()
            moto.stop()


if __name__ == "__main__":
    main()

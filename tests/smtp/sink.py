"""A local SMTP server for the meeting-email tests: every message it receives is written,
as received, to <dir>/<n>.eml. Usage: python3 sink.py <port> <dir>. Prints "ready" once
listening."""
import sys
import time
from pathlib import Path

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out: Path):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        tmp = self.out / f"{self.count}.tmp"
        tmp.write_bytes(envelope.original_content or envelope.content)
        tmp.rename(self.out / f"{self.count}.eml")
        return "250 OK"


def main():
    port, out = int(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    controller = Controller(Sink(out), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()

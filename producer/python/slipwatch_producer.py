"""Stream a lab's AE (and mechanical channels) into a slipwatch server, as its DAQ script would.

The wire protocol is docs/protocol.md: WebSocket binary messages, each one MessagePack map;
typed arrays travel as msgpackr's typed-array extension (ext type 0x74: one byte naming the
array type, then the little-endian samples), which is what `typed()` writes.

Guarantees: a frame counts as stored only when the server acknowledged it (an ack means
fsynced); unacknowledged frames stay in memory and are sent again after a dropped connection,
from where the server says it stopped, so nothing is lost or stored twice. At most `window`
frames are in flight: when the server withholds acks because its pipeline is behind (flow
control), this producer waits, so it never outruns the monitor.

Library use (numpy array of channels x samples, int16 counts):

    producer = Producer(url, token, session="rig1-run7", experiment_id="p5198",
                        ae_rate_hz=10_000, channels=[Channel("ae0", "counts", 10 / 32768)])
    asyncio.run(producer.stream_array(ae, speed=1.0))

Command line: python slipwatch_producer.py --help
Needs Python >= 3.9 with websockets >= 13, msgpack >= 1.0, numpy >= 1.22.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import deque
from dataclasses import dataclass
from typing import Deque, Dict, Optional, Tuple

import msgpack
import numpy as np
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

PROTOCOL_VERSION = 1
TYPED_ARRAY_EXT = 0x74
# msgpackr's typed-array codes (its `typedArrays` list): the server decodes these as Int16Array / Float32Array
TYPE_CODES = {np.dtype("int16"): 3, np.dtype("float32"): 7, np.dtype("float64"): 8}
DTYPES = {code: dtype for dtype, code in TYPE_CODES.items()}
MECH_CHANNELS = ("shear_stress_MPa", "normal_stress_MPa", "mu")


class ServerRefused(Exception):
    """The server refused a frame for a reason a retry cannot fix (bad frame, wrong token...)."""


def typed(a: np.ndarray) -> msgpack.ExtType:
    """A numpy array as the typed array the server expects (little-endian, contiguous)."""
    code = TYPE_CODES.get(a.dtype)
    if code is None:
        raise TypeError(f"samples must be int16, float32 or float64, got {a.dtype}")
    return msgpack.ExtType(TYPED_ARRAY_EXT, bytes([code]) + np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes())


def _ext_hook(code: int, data: bytes):
    if code == TYPED_ARRAY_EXT and data[0] in DTYPES:
        return np.frombuffer(data[1:], dtype=DTYPES[data[0]].newbyteorder("<"))
    return msgpack.ExtType(code, data)


def encode(frame: dict) -> bytes:
    return msgpack.packb(frame, use_bin_type=True)


def decode(message: bytes) -> dict:
    return msgpack.unpackb(message, ext_hook=_ext_hook, raw=False)


@dataclass
class Channel:
    name: str
    unit: str
    # physical units per stored unit (e.g. volts per count)
    scale: float


class Producer:
    def __init__(self, url: str, token: str, session: str, experiment_id: str, ae_rate_hz: float,
                 channels: list, ae_type: str = "int16", mech_rate_hz: Optional[float] = None,
                 mech_channels: Tuple[str, ...] = (), preset: Optional[str] = None, window: int = 8,
                 ae_kind: str = "waveform", log=lambda msg: print(msg, file=sys.stderr)):
        if ae_type not in ("int16", "float32"):
            raise ValueError(f"ae_type must be int16 or float32, got {ae_type}")
        if ae_kind not in ("waveform", "variance"):
            raise ValueError(f"ae_kind must be waveform or variance (AE already reduced to a variance per channel), got {ae_kind}")
        unknown = [c for c in mech_channels if c not in MECH_CHANNELS]
        if unknown:
            raise ValueError(f"unknown mechanical channels {unknown}; valid: {', '.join(MECH_CHANNELS)}")
        self.url, self.token, self.session, self.window, self.log = url, token, session, window, log
        self.ae_dtype = np.dtype(ae_type)
        self.start: Dict = {
            "type": "start", "protocol": PROTOCOL_VERSION, "session": session, "experimentId": experiment_id,
            "aeRateHz": ae_rate_hz, "aeType": ae_type,
            "aeChannels": [{"name": c.name, "unit": c.unit, "scale": c.scale} for c in channels],
        }
        if mech_channels:
            self.start["mech"] = {"rateHz": mech_rate_hz, "channels": list(mech_channels)}
        if preset:
            self.start["preset"] = preset
        if ae_kind != "waveform":
            # AE computed by the DAQ as a variance series (e.g. 10 Hz): served by feature-mode models
            self.start["aeKind"] = ae_kind
        self.acked = -1  # last frame the server stored
        self.stored_samples = 0  # AE samples the server stored, per channel

    def _frame(self, seq: int, ae_start: int, ae: np.ndarray, mech: Optional[Dict[str, np.ndarray]], mech_start: int) -> bytes:
        frame = {"type": "data", "session": self.session, "seq": seq, "aeStartIndex": ae_start,
                 "ae": [typed(ae[c].astype(self.ae_dtype, copy=False)) for c in range(ae.shape[0])]}
        if mech:
            frame["mech"] = {"startIndex": mech_start, "values": {k: typed(v.astype(np.float32, copy=False)) for k, v in mech.items()}}
        return encode(frame)

    async def _handshake(self, ws) -> None:
        """Send start; the answer is an ack saying where the session stands (-1: new)."""
        await ws.send(encode(self.start))
        reply = decode(await ws.recv())
        if reply.get("type") == "error":
            raise ServerRefused(f"start refused ({reply['code']}): {reply['message']}")
        self.acked, self.stored_samples = reply["seq"], reply.get("aeSamples", 0)

    async def stream_array(self, ae: np.ndarray, frame_s: float = 0.1, speed: Optional[float] = 1.0,
                           mech: Optional[Dict[str, np.ndarray]] = None, retries: int = 20) -> int:
        """Send channels x samples of AE (plus mechanical channels at mech_rate_hz) as frames of
        frame_s seconds at `speed` x real time (None: as fast as acknowledged). Reconnects and
        resumes after a dropped connection. Returns the number of frames stored."""
        ae = np.atleast_2d(ae)
        rate = self.start["aeRateHz"]
        per_frame = max(1, int(round(frame_s * rate)))
        total = -(-ae.shape[1] // per_frame)
        mech_rate = self.start.get("mech", {}).get("rateHz", 0)

        def frame(seq: int) -> bytes:
            a, b = seq * per_frame, min((seq + 1) * per_frame, ae.shape[1])
            if not mech:
                return self._frame(seq, a, ae[:, a:b], None, 0)
            m0, m1 = int(np.ceil(a / rate * mech_rate - 1e-9)), int(np.ceil(b / rate * mech_rate - 1e-9))
            return self._frame(seq, a, ae[:, a:b], {k: v[m0:m1] for k, v in mech.items()}, m0)

        attempt = 0
        t0 = time.monotonic()
        while self.acked < total - 1:
            try:
                async with connect(self.url, additional_headers={"Authorization": f"Bearer {self.token}"}, max_size=None) as ws:
                    await self._handshake(ws)
                    attempt = 0
                    self.log(f"{self.session}: connected, server has frames 0..{self.acked}")
                    await self._pump(ws, frame, total, per_frame, rate, speed, t0)
            except (ConnectionClosed, OSError) as e:
                attempt += 1
                if attempt > retries:
                    raise
                wait = min(5.0, 0.2 * 2 ** attempt)
                self.log(f"{self.session}: connection lost ({e}); resuming in {wait:.1f} s")
                await asyncio.sleep(wait)
        return total

    async def _pump(self, ws, frame, total: int, per_frame: int, rate: float, speed: Optional[float], t0: float) -> None:
        """Send frames after the last acked one, at most `window` unacknowledged, until all are acked."""
        in_flight: Deque[int] = deque()
        next_seq = self.acked + 1
        while self.acked < total - 1:
            while next_seq < total and len(in_flight) < self.window:
                if speed:  # real-time pacing from the first frame's send time
                    due = t0 + next_seq * per_frame / rate / speed
                    if due > time.monotonic():
                        break
                await ws.send(frame(next_seq))
                in_flight.append(next_seq)
                next_seq += 1
            timeout = 0.05 if next_seq < total and len(in_flight) < self.window else 30.0
            try:
                reply = decode(await asyncio.wait_for(ws.recv(), timeout))
            except asyncio.TimeoutError:
                continue
            if reply.get("type") == "ack":
                self.acked = reply["seq"]
                while in_flight and in_flight[0] <= self.acked:
                    in_flight.popleft()
            elif reply.get("type") == "error" and reply.get("code") != "duplicate":
                raise ServerRefused(f"frame {reply.get('seq')} refused ({reply['code']}): {reply['message']}")
        await ws.send(encode({"type": "end", "session": self.session, "seq": total}))


def _read_csv(path: str, columns: list) -> np.ndarray:
    data = np.loadtxt(path, delimiter=",", skiprows=1, usecols=columns, ndmin=2)
    return data.T


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Stream AE from a .npy (channels x samples) or CSV file into a slipwatch server, in real time.")
    p.add_argument("file", help=".npy array (channels x samples) or .csv with a header row")
    p.add_argument("--rate-hz", type=float, required=True, help="AE sample rate of the file, Hz")
    p.add_argument("--columns", default="0", help="CSV columns holding AE channels, comma-separated 0-based (default 0)")
    p.add_argument("--scale", type=float, default=1.0, help="physical units per stored unit (default 1)")
    p.add_argument("--unit", default="V", help="physical unit of the AE (default V)")
    p.add_argument("--type", choices=("int16", "float32"), default="float32", help="sample type sent (default float32)")
    p.add_argument("--url", default="ws://127.0.0.1:8080/ingest")
    p.add_argument("--token", default="slipwatch-dev-token")
    p.add_argument("--session", default=None, help="session name (default: the file name and the time)")
    p.add_argument("--experiment", default="lab", help="experiment id")
    p.add_argument("--speed", default="1", help="real-time factor, or max (default 1)")
    p.add_argument("--frame-s", type=float, default=0.1, help="seconds of AE per frame (default 0.1)")
    p.add_argument("--ae-kind", choices=("waveform", "variance"), default="waveform",
                   help="what the AE columns hold: waveforms, or a variance series per channel (RMS: send it squared)")
    a = p.parse_args(argv)
    try:
        cols = [int(c) for c in a.columns.split(",")]
        ae = np.load(a.file) if a.file.endswith(".npy") else _read_csv(a.file, cols)
        speed = None if a.speed == "max" else float(a.speed)
        if speed is not None and not speed > 0:
            raise ValueError(f"--speed must be > 0 or max, got {a.speed}")
        if not np.all(np.isfinite(ae)):
            raise ValueError("the file holds NaN or infinite samples")
        session = a.session or f"{a.file.rsplit('/', 1)[-1].split('.')[0]}-{time.strftime('%Y%m%dT%H%M%S')}"
        channels = [Channel(f"ae{i}", a.unit, a.scale) for i in range(np.atleast_2d(ae).shape[0])]
        producer = Producer(a.url, a.token, session, a.experiment, a.rate_hz, channels, ae_type=a.type, ae_kind=a.ae_kind)
        frames = asyncio.run(producer.stream_array(ae, frame_s=a.frame_s, speed=speed))
    except (OSError, ValueError, ServerRefused) as e:
        print(f"slipwatch_producer: {e}", file=sys.stderr)
        return 1
    print(f"{session}: {frames} frames stored", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Trainers' recordings: decode any common audio file, store one small, even file.

Every recording becomes AAC-LC in an MP4 (``.m4a``) container, mono, 24 kHz,
about 28 kbit/s (~210 KB a minute): the one format every phone browser plays
(Safari on older iPhones plays no Opus), and clear enough for speech. Leading and
trailing silence is trimmed and the loudness evened out so every lesson plays
at the same volume. Decoding and encoding go through PyAV (FFmpeg's libraries,
no shell command), imported when a recording comes: FFmpeg's libraries are about
17 MB in every worker that loads them, and most never see a recording.
"""

import hashlib
import io
import math
import os
import secrets
from array import array
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from flask_babel import lazy_gettext as _l

from lms.services import DomainError

RATE = 24_000
BIT_RATE = 28_000
MAX_SECONDS = 15 * 60
WINDOW = RATE // 50  # 20 ms
MARGIN = RATE // 4  # silence kept around the voice: 0.25 s
FULL = 32767
SILENT_PEAK = FULL * 10 ** (-50 / 20)  # below -50 dBFS at its loudest: nothing said
TARGET_RMS = FULL * 10 ** (-20 / 20)  # speech at -20 dBFS RMS
MAX_PEAK = FULL * 10 ** (-1 / 20)
MAX_GAIN_DB = 30

NOT_AUDIO = _l(
    "This file is not a recording we can read. "
    "Choose an m4a, mp3, ogg, webm or wav file."
)
SILENT = _l("This recording is silent. Check the microphone and record again.")
TOO_LONG = _l(
    "This recording is longer than 15 minutes. Split the lesson or record it shorter."
)


@dataclass(frozen=True)
class StoredAudio:
    name: str
    seconds: float
    bytes: int
    sha256: str

    def as_dict(self):
        return {
            "name": self.name,
            "seconds": round(self.seconds, 1),
            "bytes": self.bytes,
            "sha256": self.sha256,
        }


def store_audio(stream, folder, max_bytes=None) -> StoredAudio:
    """Decode an uploaded recording, trim, even out and re-encode it, store it."""
    data = stream.read() if max_bytes is None else stream.read(max_bytes + 1)
    if max_bytes is not None and len(data) > max_bytes:
        raise DomainError(_l("The recording is too large."))
    if not data:
        raise DomainError(NOT_AUDIO)
    samples = _decode(data)
    start, end, gain = _voice(samples)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + ".m4a"
    partial = folder / f".{name}.part"
    try:
        _encode(samples[start:end], gain, partial)
        encoded = partial.read_bytes()
        os.replace(partial, folder / name)
    finally:
        partial.unlink(missing_ok=True)
    digest = hashlib.sha256(encoded).hexdigest()
    return StoredAudio(name, (end - start) / RATE, len(encoded), digest)


def _decode(data):
    """Return the sound as 16-bit mono samples at RATE; refuse what is not audio."""
    import av

    pcm = bytearray()
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.audio:
                raise DomainError(NOT_AUDIO)
            stream = container.streams.audio[0]
            seconds = (container.duration or 0) / av.time_base
            if seconds > MAX_SECONDS + 1:
                raise DomainError(TOO_LONG)
            resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    pcm += bytes(out.planes[0])[: out.samples * 2]
                if len(pcm) > (MAX_SECONDS + 1) * RATE * 2:
                    raise DomainError(TOO_LONG)
            for out in resampler.resample(None):
                pcm += bytes(out.planes[0])[: out.samples * 2]
    except (av.FFmpegError, ValueError, EOFError, OSError, IndexError) as error:
        raise DomainError(NOT_AUDIO) from error
    if not pcm:
        raise DomainError(NOT_AUDIO)
    return array("h", bytes(pcm))


def _voice(samples):
    """Return where the voice starts and ends, and the gain (dB) that evens it out."""
    peaks = []
    for at in range(0, len(samples), WINDOW):
        window = samples[at : at + WINDOW]
        peaks.append(max(max(window), -min(window)))
    loudest = max(peaks)
    if loudest < SILENT_PEAK:
        raise DomainError(SILENT)
    threshold = max(SILENT_PEAK * 3, loudest / 20)  # -26 dB under the loudest
    active = [i for i, peak in enumerate(peaks) if peak >= threshold]
    start = max(0, active[0] * WINDOW - MARGIN)
    end = min(len(samples), (active[-1] + 1) * WINDOW + MARGIN)
    energy = count = 0
    for i in active:
        window = samples[i * WINDOW : (i + 1) * WINDOW]
        energy += sum(map(int.__mul__, window, window))
        count += len(window)
    rms = math.sqrt(energy / count)
    gain = min(20 * math.log10(TARGET_RMS / rms), 20 * math.log10(MAX_PEAK / loudest))
    return start, end, min(gain, MAX_GAIN_DB)


def _encode(samples, gain, path):
    """AAC-LC in MP4, the moov atom first so phones start playing before the end."""
    import av

    with av.open(
        str(path), mode="w", format="ipod", options={"movflags": "+faststart"}
    ) as box:
        stream = box.add_stream("aac", rate=RATE, layout="mono")
        stream.bit_rate = BIT_RATE
        graph = av.filter.Graph()
        source = graph.add_abuffer(
            format="s16", sample_rate=RATE, layout="mono", time_base=Fraction(1, RATE)
        )
        volume = graph.add("volume", f"volume={gain:.2f}dB")
        convert = graph.add("aformat", "sample_fmts=fltp")
        sink = graph.add("abuffersink")
        source.link_to(volume)
        volume.link_to(convert)
        convert.link_to(sink)
        graph.configure()
        raw = samples.tobytes()
        step = 1024 * 2
        for at in range(0, len(raw), step):
            chunk = raw[at : at + step]
            frame = av.AudioFrame(format="s16", layout="mono", samples=len(chunk) // 2)
            frame.planes[0].update(chunk)
            frame.sample_rate = RATE
            frame.pts = at // 2
            frame.time_base = Fraction(1, RATE)
            graph.push(frame)
            _drain(graph, stream, box)
        graph.push(None)
        _drain(graph, stream, box)
        for packet in stream.encode(None):
            box.mux(packet)


def _drain(graph, stream, box):
    import av

    while True:
        try:
            frame = graph.pull()
        except (av.BlockingIOError, av.EOFError):
            return
        for packet in stream.encode(frame):
            box.mux(packet)

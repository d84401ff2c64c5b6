"""Real recordings made in the test: a tone with noise, between silences."""

import io
import math
import random
import wave
from array import array

import av

# (container format, codec, file name): what phones and recorders send
INPUTS = [
    ("wav", "pcm_s16le", "bai-1.wav"),
    ("mp3", "libmp3lame", "bai-1.mp3"),
    ("ogg", "libopus", "bai-1.ogg"),
    ("webm", "libopus", "bai-1.webm"),
    ("ipod", "aac", "bai-1.m4a"),
]


def samples(seconds, rate, amplitude, silence):
    """A 440 Hz tone with 20% noise, ``silence`` seconds of nothing either side."""
    noise = random.Random(1)
    total = int((seconds + 2 * silence) * rate)
    out = array("h")
    for i in range(total):
        t = i / rate
        if silence <= t < silence + seconds:
            value = math.sin(2 * math.pi * 440 * t) + 0.2 * (noise.random() * 2 - 1)
            out.append(int(amplitude * value / 1.2 * 32767))
        else:
            out.append(0)
    return out


def recording(fmt="wav", codec="pcm_s16le", seconds=3.0, amplitude=0.3, silence=1.0):
    """Bytes of a mono recording in ``fmt``/``codec``."""
    rate = 48_000 if codec == "libopus" else 44_100
    raw = samples(seconds, rate, amplitude, silence).tobytes()
    out = io.BytesIO()
    with av.open(out, "w", format=fmt) as box:
        stream = box.add_stream(codec, rate=rate, layout="mono")
        for at in range(0, len(raw), 2048):
            chunk = raw[at : at + 2048]
            frame = av.AudioFrame(format="s16", layout="mono", samples=len(chunk) // 2)
            frame.planes[0].update(chunk)
            frame.sample_rate = rate
            frame.pts = at // 2
            for packet in stream.encode(frame):
                box.mux(packet)
        for packet in stream.encode(None):
            box.mux(packet)
    return out.getvalue()


def long_wav(minutes):
    """A WAV file ``minutes`` long at 8 kHz, 8 bits (quiet hum, so not silent)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(1)
        file.setframerate(8000)
        second = bytes(128 + (20 if i % 16 < 8 else -20) for i in range(8000))
        file.writeframes(second * int(minutes * 60))
    return out.getvalue()


def decoded(path):
    """(codec, profile, channels, seconds, RMS in dBFS) of a stored file."""
    with av.open(str(path)) as box:
        stream = box.streams.audio[0]
        codec = stream.codec_context
        resampler = av.AudioResampler(format="s16", layout="mono", rate=24_000)
        pcm = bytearray()
        for frame in box.decode(stream):
            for out in resampler.resample(frame):
                pcm += bytes(out.planes[0])[: out.samples * 2]
        values = array("h", bytes(pcm))
        loud = [v for v in values if abs(v) > 300]
        rms = math.sqrt(sum(v * v for v in loud) / len(loud))
        return (
            codec.name,
            codec.profile,
            codec.layout.nb_channels,
            len(values) / 24_000,
            20 * math.log10(rms / 32767),
        )

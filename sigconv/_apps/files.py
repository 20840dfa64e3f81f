"""``sigconv convolve``: dispatch on the input file's kind.

:data:`HANDLERS` maps a file extension to the function that convolves such
files; a new kind of file (volumes, arrays) is one entry here plus its
module. Every handler takes the parsed arguments and returns an exit code.
"""
import os
import sys


class UnsupportedFile(ValueError):
    """No handler for this kind of file (yet)."""


def _audio(args):
    from . import audio
    report = audio.convolve_audio(
        args.input, args.ir, args.output, kernel=args.kernel, mix=args.mix,
        gain_db=args.gain, normalize=args.normalize, tail=not args.no_tail,
        matrix=args.matrix, block_size=args.block_size, subtype=args.subtype,
        progress=None)
    audio.describe(report, args.output)
    return 0


class VolumeError(ValueError):
    """A volume file command that cannot run as asked."""


def _volume_kernel(args, ndim, dtype):
    import numpy as np

    from ..kernels import from_spec
    from ..convolution import convolve
    kernel = None
    if args.ir is not None:
        if not args.ir.lower().endswith(".npy"):
            raise VolumeError("%s: a volume's kernel file must be a .npy array" % args.ir)
        kernel = np.load(args.ir)
    if args.kernel is not None:
        spec = from_spec(args.kernel, ndim=ndim)
        if dtype.kind == "f" and dtype.itemsize <= 4:
            spec = spec.astype(np.float32)    # a float32 volume stays float32
        kernel = spec if kernel is None else convolve(kernel, spec)
    if kernel is None:
        raise VolumeError("give a kernel: a .npy file after IN, or --kernel NAME:ARGS")
    kernel = np.asarray(kernel)
    if kernel.ndim != ndim:
        raise VolumeError("the kernel has %d axes but the volume has %d" % (kernel.ndim, ndim))
    return kernel


def _volume(args):
    from .. import volumes
    for option, default in (("mix", 1.0), ("gain", 0.0), ("normalize", None),
                            ("matrix", False), ("subtype", None), ("no_tail", False)):
        if getattr(args, option) != default:
            raise VolumeError("--%s applies to audio files only" % option.replace("_", "-"))
    try:
        shape, dtype = volumes.volume_info(args.input)
        kernel = _volume_kernel(args, len(shape), dtype)
        limit = None if args.memory_limit is None else int(args.memory_limit * 2 ** 20)
        report = volumes.convolve_file(args.input, args.output, kernel, mode=args.mode,
                                       boundary=args.boundary, method=args.method,
                                       memory_limit=limit, progress=None)
    except (ValueError, TypeError, ImportError, OSError) as exc:
        if isinstance(exc, VolumeError):
            raise
        raise VolumeError(str(exc)) from exc
    print("%s -> %s: %s" % (args.input, args.output, report))
    return 0


#: volume extensions (``.nii.gz`` is matched whole, see :func:`_extension`)
VOLUME_EXTENSIONS = (".npy", ".zarr", ".nii", ".nii.gz")


def _handlers():
    from .audio import AUDIO_EXTENSIONS
    table = {ext: _audio for ext in AUDIO_EXTENSIONS}
    table.update({ext: _volume for ext in VOLUME_EXTENSIONS})
    return table


def _extension(path):
    name = os.fspath(path).rstrip("/\\").lower()
    if name.endswith(".nii.gz"):
        return ".nii.gz"
    return os.path.splitext(name)[1]


#: extension (lower case, with the dot) -> handler(args) -> exit code
HANDLERS = _handlers()


def handler_for(path):
    """The handler of ``path``'s extension, or :class:`UnsupportedFile`.

    >>> handler_for("song.WAV").__name__
    '_audio'
    >>> handler_for("brain.nii.gz").__name__
    '_volume'
    >>> handler_for("notes.txt")
    Traceback (most recent call last):
    ...
    sigconv._apps.files.UnsupportedFile: notes.txt: '.txt' files are not supported yet ...
    """
    ext = _extension(path)
    try:
        return HANDLERS[ext]
    except KeyError:
        raise UnsupportedFile(
            "%s: %r files are not supported yet by sigconv convolve (supported: %s)"
            % (path, ext or "extension-less", ", ".join(sorted(HANDLERS)))) from None


def run(args):
    """Run ``sigconv convolve`` with parsed ``args``; returns the exit code."""
    from .audio import AudioError
    try:
        handler = handler_for(args.input)
        return handler(args)
    except (UnsupportedFile, AudioError, VolumeError) as exc:
        print("sigconv convolve: %s" % exc, file=sys.stderr)
        return 2

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


def _handlers():
    from .audio import AUDIO_EXTENSIONS
    table = {ext: _audio for ext in AUDIO_EXTENSIONS}
    return table


#: extension (lower case, with the dot) -> handler(args) -> exit code
HANDLERS = _handlers()


def handler_for(path):
    """The handler of ``path``'s extension, or :class:`UnsupportedFile`.

    >>> handler_for("song.WAV").__name__
    '_audio'
    >>> handler_for("volume.nii")
    Traceback (most recent call last):
    ...
    sigconv._apps.files.UnsupportedFile: volume.nii: '.nii' files are not supported yet ...
    """
    ext = os.path.splitext(path)[1].lower()
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
    except (UnsupportedFile, AudioError) as exc:
        print("sigconv convolve: %s" % exc, file=sys.stderr)
        return 2

# SPDX-License-Identifier: MIT OR Apache-2.0
"""The implementation of ``golang.fmt`` (Pygolang 0.1's ``golang._fmt``)."""

from golang._pyerror import pyerror, _TextError, _WrapError, _from_error

__all__ = ['pyErrorf', '_PyWrapError']


class _PyWrapError(pyerror):
    """The error of ``Errorf("<prefix>: %w", *argv, err)`` when err is not a
    Go-level error (a Python exception, an error subclass, or None).

    ``args == (prefix, err)``; Unwrap() returns err itself.
    """
    __module__ = 'golang._fmt'

    def __init__(self, prefix, err):
        if not isinstance(prefix, str):
            raise TypeError("Argument 'prefix' has incorrect type (expected str, got %s)"
                            % type(prefix).__name__)
        self._prefix = prefix
        self._errSuffix = err

    def Unwrap(self):
        return self._errSuffix

    def Error(self):
        esuff = self._errSuffix
        if esuff is None:
            esuff = "%!w(<None>)"       # as Go writes a nil %w
        return "%s: %s" % (self._prefix, esuff)


def pyErrorf(format, *argv):  # -> error
    """Errorf formats an error message with Python's % (format % argv).

    A format that ends with ``": %w"`` wraps its last argument, an exception
    or None: the result's Error() is ``prefix + ": " + str(err)`` and
    ``errors.Is`` finds err through it. ``%w`` anywhere else is a ValueError.
    """
    if not isinstance(format, str):
        raise TypeError("Argument 'format' has incorrect type (expected str, got %s)"
                        % type(format).__name__)
    withW = format.endswith(": %w")
    if withW:
        format = format[:-4]
        err = argv[-1]                  # IndexError without arguments
        argv = argv[:-1]
    prefix = format % argv              # TypeError / ValueError on a bad format
    if not withW:
        return _from_error(_TextError(prefix))
    if not (isinstance(err, BaseException) or err is None):
        raise TypeError("fmt.Errorf: lastarg to wrap is not error: type(argv[-1])=%r" % type(err))
    if type(err) is not pyerror:
        return _PyWrapError(prefix, err)
    return _from_error(_WrapError(prefix, err._err))

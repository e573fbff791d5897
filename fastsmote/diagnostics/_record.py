"""Where records pickled by earlier versions find :class:`ResamplingRecord`; the record
lives in :mod:`fastsmote._record`, below the samplers that build it."""

from .._record import ResamplingRecord, label_counts

__all__ = ["ResamplingRecord", "label_counts"]

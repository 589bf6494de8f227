"""docintel core: data model, stage protocol, settings, backends and the runner."""

import os

# Native math libraries (numpy's OpenBLAS, the OpenMP runtime torch brings in through spaCy's
# thinc) start one thread per core and busy-wait after each call. Next to the OCR runtime, which
# runs its own threads, that spinning took a fifth of the OCR time on 2 cores (bench_pipeline:
# OCR 2.0 -> 1.6 s/page). They must be set before those libraries load, hence here; a deployment
# that wants more threads sets the variables itself.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

"""The checks of ``python -m hubcompat check`` and of the pytest plugin :mod:`hubcompat.testing`.

:func:`run_checks` loads a model and runs, in this order: ``load``; one
``call[<signature>]`` per signature (and ``call[__call__]`` for a TF2
SavedModel's ``__call__``) on example inputs, with finite outputs; one
``reference[<signature>]`` per signature when a reference file is given;
``keras`` (the default signature through :class:`hubcompat.KerasLayer` in a
functional Keras model); ``reexport`` (``tf.saved_model.save`` +
``tf.saved_model.load``); ``training`` (a ``training=True`` call and gradients
for every trainable variable). ``training`` runs last, since it applies the
module's update ops (e.g. batch-norm moving averages).

The file format is described in :mod:`hubcompat.reference_npz`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from hubcompat import conversion, errors, parity, reference_npz
from hubcompat._tf2_call import call_function, call_parameters, call_traces
from hubcompat.check_names import FAIL, PASS, SKIP, SKIPPABLE
from hubcompat.example_inputs import example_inputs, image_size_of, input_specs, signature_names
from hubcompat.formats import ModelFormat, detect_format
from hubcompat.parity import CALL
from hubcompat.tolerances import DEFAULT_ATOL, DEFAULT_RTOL


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: ``name`` is e.g. ``load`` or ``call[default]``."""

    name: str
    status: str  # PASS, FAIL or SKIP
    detail: str = ""

    @property
    def group(self) -> str:
        """The check without its signature: ``call[default]`` -> ``call``."""
        return self.name.split("[", 1)[0]

    @property
    def failed(self) -> bool:
        return self.status == FAIL

    def line(self) -> str:
        return f"{self.status} {self.name}  {self.detail}".rstrip()


@dataclass
class _Entry:
    """A callable part of a model: a signature, or a TF2 SavedModel's ``__call__``."""

    name: str
    specs: dict[str, tf.TypeSpec]
    call: Callable[[dict, bool | None], dict]  # (inputs, training) -> outputs by name
    takes_training: bool = False
    keras_input: str = "dict"  # how KerasLayer takes the inputs: "dict", "single" or ""


@dataclass
class _Run:
    """What the checks of one model share."""

    model: Any  # a TF1ModuleAdapter, or what tf.saved_model.load returns
    is_tf1: bool
    entries: dict[str, _Entry]
    inputs: dict[str, dict] = field(default_factory=dict)  # entry -> inputs used
    outputs: dict[str, dict] = field(default_factory=dict)  # entry -> flat output arrays


Arrays = Mapping[str, np.ndarray] | str | os.PathLike[str]  # a dict, or a .npz file


def run_checks(handle: str | os.PathLike[str], *, reference: Arrays | None = None,
               inputs: Arrays | None = None, atol: float = DEFAULT_ATOL,
               rtol: float = DEFAULT_RTOL, tags: Iterable[str] | str | None = None,
               skip: Iterable[str] = (), record: str | os.PathLike[str] | None = None,
               overwrite: bool = False) -> list[CheckResult]:
    """Runs every check on the model at ``handle``; returns one result per line of output.

    ``reference`` and ``inputs`` are paths of ``.npz`` files (or dicts of
    arrays) in the format of :mod:`hubcompat.reference_npz`; signature inputs
    come from ``inputs``, else from ``reference``, else from
    :func:`~hubcompat.example_inputs.example_inputs`. ``record`` is a path to
    write a reference to (from those inputs) when every signature call passed.
    ``skip`` names checks of :data:`SKIPPABLE` not to run. A handle that cannot
    be resolved or loaded raises a :mod:`hubcompat.errors` exception.
    """
    unknown = sorted(set(skip) - set(SKIPPABLE))
    if unknown:
        raise errors.CheckArgumentError(
            f"Cannot skip {', '.join(unknown)}: the checks that can be skipped are "
            f"{', '.join(SKIPPABLE)}."
        )
    reference = _arrays(reference)
    given_inputs = {**(reference or {}), **(_arrays(inputs) or {})}
    run, load_result = _load(handle, tags)
    results = [load_result]
    for entry in run.entries.values():
        results.append(_check_call(run, entry, given_inputs))
    if record is not None:
        results.append(_record(run, record, results, overwrite))
    elif reference is not None:
        results.extend(_check_reference(run, reference, atol, rtol))
    for name, check in (("keras", _check_keras), ("reexport", _check_reexport),
                        ("training", _check_training)):
        if name in skip:
            results.append(CheckResult(name, SKIP, "skipped as asked (--skip)"))
        else:
            results.append(_guarded(name, check, run, atol, rtol))
    return results


def record_reference(handle: str | os.PathLike[str], path: str | os.PathLike[str], *,
                     inputs: Arrays | None = None, tags: Iterable[str] | str | None = None,
                     overwrite: bool = False) -> Path:
    """Writes a reference file for ``handle``: its signatures' inputs and outputs."""
    results = run_checks(handle, inputs=inputs, tags=tags, skip=SKIPPABLE, record=path,
                         overwrite=overwrite)
    failed = [r.line() for r in results if r.failed]
    if failed:
        raise errors.ReferenceFileError(
            f"Did not record {str(path)!r}: " + "; ".join(failed))
    return Path(path)


def _arrays(source) -> dict[str, np.ndarray] | None:
    if source is None or isinstance(source, Mapping):
        return None if source is None else dict(source)
    return reference_npz.read(source)


# --- load -------------------------------------------------------------------------


def _load(handle, tags) -> tuple[_Run, CheckResult]:
    from hubcompat.loader import load
    from hubcompat.resolvers import resolve

    path = resolve(handle)
    fmt = detect_format(path)
    model = load(path, tags=tags)
    is_tf1 = fmt in (ModelFormat.TF1_HUB, ModelFormat.TF1_SAVED_MODEL)
    entries = _entries(model, is_tf1)
    variables = list(getattr(model, "variables", []) or [])
    trainable = list(getattr(model, "trainable_variables", []) or [])
    detail = f"{fmt}"
    if is_tf1:
        detail += f", tags {sorted(model.tags) or 'set()'}"
    detail += (f"; calls: {', '.join(entries) or 'none'}; {len(variables)} variables "
               f"({len(trainable)} trainable)")
    result = CheckResult("load", PASS if entries else FAIL,
                         detail if entries else detail + ": nothing to call")
    return _Run(model, is_tf1, entries), result


def _entries(model, is_tf1: bool) -> dict[str, _Entry]:
    entries = {}
    for name in signature_names(model):
        entries[name] = _Entry(name, input_specs(model, name), _signature_caller(model, name, is_tf1),
                               takes_training=is_tf1)
    if not is_tf1:
        call = _call_entry(model)
        if call is not None:
            entries[CALL] = call
    return entries


def _signature_caller(model, name: str, is_tf1: bool):
    if is_tf1:
        return lambda inputs, training=None: model(
            inputs, training=bool(training), signature=name, as_dict=True)
    return lambda inputs, training=None: dict(model.signatures[name](**inputs))


def _call_entry(model) -> _Entry | None:
    """The ``__call__`` of a TF2 SavedModel, if it was saved with tensor (or dict) inputs."""
    function = call_function(model)
    traces = call_traces(model)
    if function is None or not traces:
        return None
    args, kwargs = traces[0].args, traces[0].kwargs
    params = call_parameters(model)
    takes_training = "training" in params
    if len(args) == 1 and isinstance(args[0], dict) and not kwargs:
        def call_dict(inputs: dict, training: bool | None = None) -> dict:
            return _as_outputs(function(inputs, **_training_kwarg(takes_training, training)))

        return _Entry(CALL, dict(args[0]), call_dict, takes_training, keras_input="dict")
    positional = [(params[i], spec) for i, spec in enumerate(args) if isinstance(spec, tf.TypeSpec)]
    keyword = {name: spec for name, spec in kwargs.items() if isinstance(spec, tf.TypeSpec)}
    if not all(isinstance(a, tf.TypeSpec) or not tf.nest.is_nested(a) for a in args):
        return None  # nested positional inputs: not supported here
    names = [name for name, _ in positional]

    def call(inputs, training=None):
        return _as_outputs(function(*[inputs[n] for n in names],
                                    **{n: inputs[n] for n in keyword},
                                    **_training_kwarg(takes_training, training)))

    specs = {**dict(positional), **keyword}
    return _Entry(CALL, specs, call, takes_training,
                  keras_input="single" if len(positional) == 1 and not keyword else "")


def _training_kwarg(takes_training: bool, training) -> dict:
    return {"training": bool(training)} if takes_training and training is not None else {}


def _as_outputs(result) -> dict:
    if isinstance(result, Mapping):
        return dict(result)
    if isinstance(result, (list, tuple)):
        return {str(i): value for i, value in enumerate(result)}
    return {"default": result}


# --- calls and references -----------------------------------------------------------


def _check_call(run: _Run, entry: _Entry, given: dict) -> CheckResult:
    name = f"call[{entry.name}]"
    try:
        inputs, source = _inputs_for(run.model, entry, given)
        outputs = entry.call(inputs, False if entry.takes_training else None)
        flat = _flatten("output", entry.name, outputs)
    except Exception as e:  # any failure is this check's result
        return CheckResult(name, FAIL, _describe(e))
    run.inputs[entry.name], run.outputs[entry.name] = inputs, flat
    not_finite = [key for key, array in flat.items()
                  if array.dtype.kind in "fc" and not np.all(np.isfinite(array))]
    summary = ", ".join(f"{key.split('/', 2)[2]} {list(a.shape)} {a.dtype}"
                        for key, a in flat.items())
    if not_finite:
        return CheckResult(name, FAIL, f"non-finite values in {', '.join(not_finite)}")
    return CheckResult(name, PASS, f"{source}; outputs {summary or 'none'}; all finite")


def _inputs_for(model, entry: _Entry, given: dict) -> tuple[dict, str]:
    prefix = reference_npz.prefix("input", entry.name)
    if entry.specs and any(key.startswith(prefix) for key in given):
        return {name: _input_from_arrays(given, entry.name, name, spec)
                for name, spec in entry.specs.items()}, "inputs from file"
    return example_inputs(entry.specs, image_size=image_size_of(model)), "example inputs"


def _input_from_arrays(arrays: dict, signature: str, name: str, spec):
    key = reference_npz.input_key(signature, name)
    if isinstance(spec, tf.SparseTensorSpec):
        parts = [f"{key}/{part}" for part in reference_npz.SPARSE_PARTS]
        missing = [p for p in parts if p not in arrays]
        if missing:
            raise errors.InputError(f"the inputs (or reference) file has no {missing[0]!r}")
        indices, values, shape = (arrays[p] for p in parts)
        return tf.SparseTensor(indices, tf.constant(values, dtype=spec.dtype), shape)
    if key not in arrays:
        raise errors.InputError(f"the inputs (or reference) file has no {key!r}")
    return tf.constant(arrays[key], dtype=spec.dtype)


def _flatten(kind: str, signature: str, values: Mapping) -> dict[str, np.ndarray]:
    """``kind`` ``"input"`` or ``"output"``: the reference file's arrays of ``values``."""
    flat = {}
    for name, value in sorted(values.items()):
        flat.update(reference_npz.flatten(reference_npz.prefix(kind, signature) + name, value))
    return flat


def _check_reference(run: _Run, reference: dict, atol: float, rtol: float) -> list[CheckResult]:
    results = []
    for entry in run.entries.values():
        name = f"reference[{entry.name}]"
        if entry.name not in run.outputs:
            results.append(CheckResult(name, SKIP, f"call[{entry.name}] failed"))
            continue
        prefix = reference_npz.prefix("output", entry.name)
        expected = {k: v for k, v in reference.items() if k.startswith(prefix)}
        comparison = parity.compare(expected, run.outputs[entry.name], atol=atol, rtol=rtol)
        problems = _input_problems(run, entry, reference) + comparison.messages()
        if problems:
            results.append(CheckResult(name, FAIL, "; ".join(problems)))
        else:
            results.append(CheckResult(
                name, PASS, f"{len(expected)} arrays match (max |diff| {comparison.largest:.2g})"))
    known = {reference_npz.prefix(kind, entry) for entry in run.entries
             for kind in reference_npz.KINDS}
    stray = sorted(k for k in reference if not any(k.startswith(p) for p in known))
    if stray:
        results.append(CheckResult(
            "reference", FAIL, f"{stray[0]}: the model has no such signature or key"
            + (f" (and {len(stray) - 1} more keys)" if len(stray) > 1 else "")))
    return results


def _input_problems(run: _Run, entry: _Entry, reference: dict) -> list[str]:
    """Inputs missing from the reference, or different from those the outputs came from."""
    used = _flatten("input", entry.name, run.inputs[entry.name])
    problems = []
    for key, array in used.items():
        if key not in reference:
            problems.append(f"{key}: missing from the reference")
        elif reference[key].shape != array.shape or not np.array_equal(reference[key], array):
            problems.append(f"{key}: the inputs used differ from the reference's")
    return problems


def _record(run: _Run, path, results: list[CheckResult], overwrite: bool) -> CheckResult:
    failed = [r.name for r in results if r.failed]
    if failed:
        return CheckResult("record", FAIL, f"not written, {', '.join(failed)} failed")
    arrays = {}
    for name in run.entries:
        arrays.update(_flatten("input", name, run.inputs[name]))
        arrays.update(run.outputs[name])
    reference_npz.write(path, arrays, overwrite=overwrite)
    return CheckResult("record", PASS, f"wrote {len(arrays)} arrays to {path}")


# --- keras, re-export, training --------------------------------------------------------


def _guarded(name: str, check, run: _Run, atol: float, rtol: float) -> CheckResult:
    try:
        return check(run, atol, rtol)
    except Exception as e:  # any failure is this check's result
        return CheckResult(name, FAIL, _describe(e))


def _default_entry(run: _Run) -> _Entry | None:
    """``__call__``, else ``default`` / ``serving_default``, else the first with inputs."""
    for name in (CALL, "default", "serving_default"):
        if name in run.outputs:
            return run.entries[name]
    return next((run.entries[n] for n in run.outputs if run.entries[n].specs), None)


def _check_keras(run: _Run, atol: float, rtol: float) -> CheckResult:
    from hubcompat._keras import keras_module
    from hubcompat.keras_layer import KerasLayer

    entry = _default_entry(run)
    if entry is None or not entry.specs:
        return CheckResult("keras", SKIP, "no call with inputs passed")
    if not entry.keras_input:
        return CheckResult("keras", SKIP, f"{entry.name} takes several positional inputs")
    inputs = run.inputs[entry.name]
    for key, value in inputs.items():
        if isinstance(value, tf.SparseTensor):
            return CheckResult("keras", SKIP, f"input {key!r} is sparse")
        if value.shape.rank == 0:
            return CheckResult("keras", SKIP, f"input {key!r} is a scalar (no batch dimension)")
    keras = keras_module()
    if entry.name == CALL:
        layer = KerasLayer(run.model)
    else:
        layer = KerasLayer(run.model, signature=entry.name, signature_outputs_as_dict=True)
    symbolic = {key: keras.Input(shape=tuple(value.shape[1:]), dtype=value.dtype.name, name=key)
                for key, value in inputs.items()}
    if entry.keras_input == "single":
        (symbolic,), (inputs,) = symbolic.values(), inputs.values()
    model = keras.Model(symbolic, layer(symbolic))
    actual = _flatten("output", entry.name, _as_outputs(model(inputs)))
    comparison = parity.compare(run.outputs[entry.name], actual, atol=atol, rtol=rtol)
    if not comparison.ok:
        return CheckResult("keras", FAIL, "; ".join(comparison.messages()))
    return CheckResult("keras", PASS, f"KerasLayer in a keras.Model ({keras.__name__} "
                       f"{keras.__version__}) matches {entry.name}'s outputs "
                       f"(max |diff| {comparison.largest:.2g})")


def _check_reexport(run: _Run, atol: float, rtol: float) -> CheckResult:
    """Saved and reloaded, the model computes what it did (a TF1 module as ``convert``
    writes it: every signature, ``__call__`` and the state after each call)."""
    with tempfile.TemporaryDirectory(prefix="hubcompat-check-") as folder:
        if run.is_tf1:
            conversion.save(run.model, folder)
            comparison = parity.compare_converted(
                parity.ModuleOutputs(run.model), tf.saved_model.load(folder), atol=atol, rtol=rtol)
            problems = comparison.messages()
            compared = f"hubcompat.convert's SavedModel: {len(comparison.differences)}"
        else:
            comparison, names, problems = _compare_reloaded(run, folder, atol, rtol)
            if not problems and not names:
                return CheckResult("reexport", SKIP, "no call passed to compare with")
            compared = f"tf.saved_model.save + load: {', '.join(names)}"
    if problems:
        return CheckResult("reexport", FAIL, "; ".join(problems))
    return CheckResult("reexport", PASS, f"{compared} outputs match "
                       f"(max |diff| {comparison.largest:.2g})")


def _compare_reloaded(run: _Run, folder: str, atol: float,
                      rtol: float) -> tuple[parity.Comparison, list[str], list[str]]:
    """A TF2 model saved to ``folder`` and reloaded, against the calls that passed:
    the comparison, the calls compared, and every problem."""
    tf.saved_model.save(run.model, folder)
    reloaded = tf.saved_model.load(folder)  # kept: the entries do not hold its variables
    new = _entries(reloaded, is_tf1=False)
    missing = [f"the reloaded model has no {name}" for name in run.outputs if name not in new]
    expected: dict[str, np.ndarray] = {}
    actual: dict[str, np.ndarray] = {}
    compared = [name for name in run.outputs if name in new]
    for name in compared:
        entry = new[name]
        outputs = _flatten("output", name, entry.call(
            run.inputs[name], False if entry.takes_training else None))
        actual.update(outputs)
        expected.update({k: v for k, v in run.outputs[name].items() if k in outputs})
    comparison = parity.compare(expected, actual, atol=atol, rtol=rtol)
    return comparison, compared, missing + comparison.messages()


def _check_training(run: _Run, atol: float, rtol: float) -> CheckResult:
    """A training call of the default signature (what ``KerasLayer(trainable=True)`` runs).

    Every trainable variable needs a gradient from it, unless only other
    signatures use the variable (seen from their gradients in inference mode).
    """
    variables = list(getattr(run.model, "trainable_variables", []) or [])
    if not variables:
        return CheckResult("training", SKIP, "the model has no trainable variables")
    entry = _default_entry(run)
    if entry is None or not (run.is_tf1 or entry.name == CALL):
        return CheckResult("training", SKIP, "signatures of a TF2 SavedModel have no training "
                           "mode, and it has no __call__ that passed")
    training = True if entry.takes_training else None
    trained, not_finite = _gradient_reach(run, [entry], variables, training)
    if not_finite:
        return CheckResult("training", FAIL, f"non-finite values in {', '.join(not_finite)}")
    others = [run.entries[n] for n in run.outputs if n != entry.name and run.entries[n].specs]
    elsewhere = _gradient_reach(run, others, variables, False)[0] if others else set()
    missing = [v.name for i, v in enumerate(variables) if i not in trained | elsewhere]
    mode = "training=True" if entry.takes_training else "no training argument"
    if missing:
        return CheckResult("training", FAIL, f"{mode} on {entry.name}: no gradient for "
                           f"{len(missing)} of {len(variables)} trainable variables: "
                           f"{', '.join(missing[:5])}")
    detail = f"{mode} on {entry.name}: gradients for {len(trained)} of {len(variables)} " \
             "trainable variables"
    if len(trained) < len(variables):
        detail += f" (the other {len(variables) - len(trained)} are used by other signatures)"
    return CheckResult("training", PASS, detail)


def _gradient_reach(run: _Run, entries, variables, training) -> tuple[set[int], list[str]]:
    """Indices of the variables the entries' floating outputs have gradients for."""
    with tf.GradientTape() as tape:
        target, not_finite = tf.constant(0.0), []
        for entry in entries:
            outputs = entry.call(run.inputs[entry.name],
                                 training if entry.takes_training else None)
            for key, value in outputs.items():
                if isinstance(value, tf.Tensor) and value.dtype.is_floating:
                    if not np.all(np.isfinite(value.numpy())):
                        not_finite.append(f"{entry.name}/{key}")
                    target += tf.reduce_sum(tf.cast(value, tf.float32))
    gradients = tape.gradient(target, variables)
    return {i for i, g in enumerate(gradients) if g is not None}, not_finite


def _describe(error: Exception) -> str:
    message = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {message[0] if message else ''}"
    return text if len(text) <= 400 else text[:397] + "..."

"""The L7 producer inventory (registry/producers.yaml) to an `Inventory`.

The published JSON Schema (layerflow/schemas/producers.schema.json) is the one
definition of the format: it is passed in, every violation is reported at the
line of the offending YAML node, then the validated data is read into the model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import fastjsonschema

from layerflow.errors import Parsed, error
from layerflow.model import Consumer, FlowKind, Inventory, Location, Output, Persistence, Problem, Producer
from layerflow.parse import cells
from layerflow.parse.yamlsrc import YNode, load_yaml

if TYPE_CHECKING:
    import jsonschema


def parse_inventory(path: str, text: str, schema: Mapping[str, Any]) -> Parsed[Inventory | None]:
    loaded = load_yaml(path, text)
    if loaded.errors or loaded.value is None:
        empty = () if loaded.errors else (error(path, 1, "the inventory is empty; expected a 'producers:' list"),)
        return Parsed(None, loaded.problems + empty)
    root = loaded.value
    problems = _validate(path, root, schema)
    if problems:
        return Parsed(None, loaded.problems + problems)
    read = _Reader(path)
    producers = tuple(read.producer(node) for node in _list(root, "producers"))
    internal = tuple(read.artifact(node) for node in _list(root, "internal"))
    problems += _duplicates(path, producers, internal)
    inventory = Inventory(producers=producers, internal=internal, location=Location(path, 1))
    return Parsed(None if problems else inventory, loaded.problems + problems)


_COMPILED: dict[str, Callable[[object], object]] = {}


def _fast_check(schema: Mapping[str, Any], data: object) -> bool:
    """True when the data is valid, checked by a compiled validator (the common case, ~20x faster)."""
    key = json.dumps(schema, sort_keys=True)
    check = _COMPILED.get(key)
    if check is None:
        check = _COMPILED[key] = fastjsonschema.compile(dict(schema))
    try:
        check(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def _validate(path: str, root: YNode, schema: Mapping[str, Any]) -> tuple[Problem, ...]:
    data = root.to_plain()
    if _fast_check(schema, data):
        return ()
    # Invalid: jsonschema lists every violation with its path, which we turn into lines. Imported here:
    # it is a tenth of a second of every start, and a valid inventory never needs it.
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    found: list[Problem] = []
    for err in validator.iter_errors(data):
        node = root
        for step in err.absolute_path:
            child = node.get(step) if isinstance(step, str) else _index(node, step)
            if child is None:
                break
            node = child
        where = ".".join(str(s) for s in err.absolute_path) or "top level"
        line = node.key_line or node.line
        if err.validator == "additionalProperties":  # the offending node is the first unknown key, not its mapping
            known = err.schema.get("properties", {}) if isinstance(err.schema, Mapping) else {}
            extra = next((child for key, child in node.items() if key not in known), None)
            line = extra.key_line if extra is not None and extra.key_line else line
        found.append(error(path, line, f"{where}: {_message(err)}"))
    return tuple(sorted(set(found)))


def _message(err: jsonschema.ValidationError) -> str:
    import jsonschema

    if err.validator == "oneOf" and err.context:
        best = jsonschema.exceptions.best_match(err.context)
        return best.message if best is not None else err.message
    if err.validator == "additionalProperties":
        return err.message.replace("Additional properties are not allowed", "unknown key")
    return err.message


def _index(node: YNode, index: int) -> YNode | None:
    items = list(node.entries())
    return items[index] if 0 <= index < len(items) else None


def _list(node: YNode, key: str) -> list[YNode]:
    child = node.get(key)
    return list(child.entries()) if child is not None else []


def _text(node: YNode, key: str, default: str = "") -> str:
    child = node.get(key)
    return child.text() if child is not None else default


def _texts(node: YNode, key: str) -> tuple[str, ...]:
    return tuple(item.text() for item in _list(node, key))


class _Reader:
    """Builds the model from validated nodes; a persistence or consumer text is read once per file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._persistence: dict[str, Persistence] = {}
        self._consumers: dict[str, tuple[Consumer, ...]] = {}

    def consumers(self, node: YNode, default_layer: str | None) -> tuple[Consumer, ...]:
        out: list[Consumer] = []
        for item in _list(node, "consumers"):
            if item.is_map:
                out.append(
                    Consumer(_text(item, "name"), _text(item, "layer") or default_layer, _text(item, "signal") or None)
                )
                continue
            text = item.text()
            parsed = self._consumers.get(text)
            if parsed is None:
                parsed = self._consumers[text] = cells.consumers(text, None)[0]
            out.extend(Consumer(c.name, c.layer or default_layer, c.signal_ref) for c in parsed)
        return tuple(out)

    def persistence(self, node: YNode) -> Persistence | None:
        child = node.get("persistence")
        if child is None:
            return None
        text = child.text()
        found = self._persistence.get(text)
        if found is None:
            found = self._persistence[text] = cells.persistence(text)
        return found

    def output(self, node: YNode) -> Output:
        return Output(
            name=_text(node, "name"),
            kind=_text(node, "kind"),
            persistence=self.persistence(node),
            signals=_texts(node, "signals"),
            consumers=self.consumers(node, None),
            flow=FlowKind(_text(node, "flow", "direct")),
            location=Location(self.path, node.line),
            category=_text(node, "category"),
            hops=_texts(node, "hops"),
            note=_text(node, "note"),
        )

    def producer(self, node: YNode) -> Producer:
        return Producer(
            id=_text(node, "id"),
            name=_text(node, "name"),
            trigger=_text(node, "trigger"),
            schedule=_text(node, "schedule"),
            source_files=_texts(node, "source_files"),
            outputs=tuple(self.output(item) for item in _list(node, "outputs")),
            location=Location(self.path, node.line),
            layer=_text(node, "layer", "L7"),
            units=_texts(node, "units"),
        )

    def artifact(self, node: YNode) -> Output:
        category = _text(node, "category")
        return Output(
            name=_text(node, "name"),
            kind=_text(node, "kind", category),
            persistence=self.persistence(node),
            signals=(),
            consumers=self.consumers(node, "L7"),  # internal by definition: readers are L7 unless said otherwise
            flow=FlowKind.DIRECT,
            location=Location(self.path, node.line),
            category=category,
            producer_ref=_text(node, "producer"),
            note=_text(node, "note"),
            job=_text(node, "job"),
        )


def _duplicates(path: str, producers: tuple[Producer, ...], internal: tuple[Output, ...]) -> tuple[Problem, ...]:
    found: list[Problem] = []
    seen: dict[str, Location] = {}
    for producer in producers:
        if producer.id in seen:
            found.append(
                error(
                    path,
                    producer.location.line,
                    f"duplicate producer id {producer.id!r} (first at {seen[producer.id]})",
                )
            )
        seen.setdefault(producer.id, producer.location)
    for artifact in internal:
        if artifact.job and artifact.job not in seen:
            found.append(
                error(path, artifact.location.line, f"{artifact.name}: job {artifact.job!r} is no producer's id")
            )
    return tuple(found)

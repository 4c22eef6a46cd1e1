"""Reading config.yaml safely (UTF-8, duplicate keys, nesting) and turning validation errors into one
plain sentence each, with the key path and the line it is on."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Location = tuple[int | str, ...]
_GOT = re.compile(r", got .*$")
MAX_DEPTH = 20  # config.yaml is at most 5 levels deep; anything far deeper is a mistake or an attack


class ConfigProblems(Exception):
    """The file could not be read as a config; `errors` holds one sentence per problem."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors))


def read_config_text(data: bytes) -> str:
    """Decode the file as UTF-8; say where the first invalid byte is."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ConfigProblems(
            [f"line {line}: the file is not valid UTF-8 (byte 0x{data[error.start]:02x}); save it as UTF-8"]
        ) from None


def parse_yaml(text: str) -> tuple[Any, dict[Location, int]]:
    """The YAML document as Python values, and the line (1-based) of every key path in it."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise ConfigProblems([f"the YAML is nested too deeply (more than {MAX_DEPTH} levels)"]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "yaml"
        raise ConfigProblems([f"{where}: {getattr(error, 'problem', None) or error}"]) from None
    if node is None:
        return None, {}
    lines: dict[Location, int] = {}
    problems: list[str] = []
    _walk(node, (), lines, problems, depth=0)
    if problems:
        raise ConfigProblems(problems)
    loader = yaml.SafeLoader("")
    try:
        value = loader.construct_document(node)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "yaml"
        raise ConfigProblems([f"{where}: {getattr(error, 'problem', None) or error}"]) from None
    finally:
        loader.dispose()
    return value, lines


def _walk(node: Node, path: Location, lines: dict[Location, int], problems: list[str], depth: int) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if depth > MAX_DEPTH:
        problems.append(
            f"line {node.start_mark.line + 1}: the YAML is nested too deeply (more than {MAX_DEPTH} levels)"
        )
        return
    if isinstance(node, MappingNode):
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
            line = key_node.start_mark.line + 1
            if key in first_line:
                problems.append(
                    f"{format_location((*path, key))}: given twice (lines {first_line[key]} and {line}); "
                    "keep one"
                )
                continue
            first_line[key] = line
            lines[(*path, key)] = line
            _walk(value_node, (*path, key), lines, problems, depth + 1)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, problems, depth + 1)


def format_location(loc: Iterable[int | str]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def field_location(loc: Location, key_names: frozenset[str]) -> Location:
    """The key path without pydantic's validator and union-member tags (`function-after[...]`, `int`)."""
    return tuple(part for part in loc if isinstance(part, int) or part in key_names)


def line_of(loc: Location, lines: dict[Location, int]) -> int | None:
    """The line of the deepest part of `loc` present in the file (a missing key: its parent's line)."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def check_finite(value: Any) -> Any:
    """Reject YAML's .inf and .nan, which pass as floats but break every schedule and limit."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value}")
    return value


def check_http_url(url: str) -> str:
    """An absolute http(s) URL with a valid host and port."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ValueError(f"{url!r} is not a valid URL ({error})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"{url!r} is not an http(s) URL")
    host = parts.hostname or ""
    if not host or any(character.isspace() for character in parts.netloc):
        raise ValueError(f"{url!r} has no valid host")
    if port == 0:
        raise ValueError(f"{url!r}: port 0 is not a port")
    return url


def check_domain(domain: str) -> str:
    """A bare host name like example.com (not a URL, no path, no spaces)."""
    if "://" in domain or "/" in domain:
        host = urlsplit(domain if "://" in domain else f"http://{domain}").hostname
        hint = f"; write {host!r}" if host else ""
        raise ValueError(f"{domain!r} is a URL, not a domain{hint}")
    if not domain or any(character.isspace() for character in domain) or ":" in domain:
        raise ValueError(f"{domain!r} is not a domain like example.com")
    return domain


def join_alternatives(sentences: list[str]) -> str:
    """`expected a whole number or 'auto', got 'lots'` from the sentences of a union's members."""
    if len(sentences) == 1:
        return sentences[0]
    given = _GOT.search(sentences[0])
    bare = [_GOT.sub("", sentence) for sentence in sentences]
    bare = [bare[0], *(sentence.removeprefix("expected ") for sentence in bare[1:])]
    return " or ".join(bare) + (given.group(0) if given else "")


def error_sentence(item: Any) -> str:
    """A pydantic error as one plain sentence (never its type names such as `constrained-int`)."""
    kind = str(item["type"])
    context = item.get("ctx") or {}
    given = item.get("input")
    shown = f", got {given!r}" if isinstance(given, str | int | float | bool) or given is None else ""
    if kind == "value_error":
        return str(item["msg"]).removeprefix("Value error, ")
    if kind == "missing":
        return "this key is required"
    if kind.startswith("int_"):
        return f"expected a whole number{shown}"
    if kind.startswith("float_") or kind == "finite_number":
        return f"expected a finite number{shown}"
    if kind.startswith("bool_"):
        return f"expected true or false{shown}"
    if kind.startswith("string_"):
        return f"expected text{shown}"
    if kind in ("tuple_type", "list_type", "iterable_type"):
        return f"expected a list{shown}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of keys{shown}"
    if kind == "literal_error":
        return f"expected {context.get('expected', 'one of the listed values')}{shown}"
    limits = {
        "greater_than": "greater than",
        "greater_than_equal": "at least",
        "less_than": "less than",
        "less_than_equal": "at most",
    }
    if kind in limits:
        bound = next(iter(context.values()), "")
        return f"must be {limits[kind]} {bound}{shown}"
    return str(item["msg"])


def duplicate_site_names(raw: dict[str, Any], lines: dict[tuple[int | str, ...], int]) -> list[str]:
    """Pydantic checks unique names only once every site is valid; report duplicates in any case."""
    sites = raw.get("sites")
    if not isinstance(sites, list):
        return []
    first_index: dict[str, int] = {}
    messages = []
    for index, site in enumerate(sites):
        name = site.get("name") if isinstance(site, dict) else None
        if not isinstance(name, str):
            continue
        if name in first_index:
            line = lines.get(("sites", index, "name"))
            messages.append(
                f"sites[{index}].name: {name!r} is already used by sites[{first_index[name]}], line {line}"
            )
        else:
            first_index[name] = index
    return messages

"""Redis writes, and what kind of state each one leaves behind.

Three kinds, because they mean different things to a registry:

    redis_state   a key that stays until someone deletes it: SET, HSET, XADD,
                  LPUSH, INCR, DEL... (a signal may persist here)
    redis_cache   a key written with an expiry: SETEX, PSETEX, SET with
                  ex=/px=/exat=/pxat=/keepttl=, any write to a key the same
                  function gives a TTL (HSET then EXPIRE), or that the file
                  gives a TTL elsewhere when the key is spelt the same way
                  (f"user:{uid}", self._key(uid): the invalidating DEL of a
                  cache), EXPIRE itself, and writes through a client the
                  code calls a cache
    pubsub        PUBLISH: a message to whoever listens now; nothing is kept

A receiver is Redis by its name and what it was bound to (receivers.py); an
object built from a class of this file, or an in-process dict or cachetools
cache, is not, whatever it is called.
"""

from __future__ import annotations

import ast

from layerflow.evidence.context import Module
from layerflow.evidence.pysource import argument, show
from layerflow.evidence.receivers import Receiver, read_receiver
from layerflow.model.facts import PUBSUB, REDIS_CACHE, REDIS_STATE, REDIS_STORE, WriteSite

REDIS_METHODS = frozenset(
    {"set", "setex", "psetex", "setnx", "mset", "msetnx", "getset", "getdel", "hset", "hmset", "hsetnx", "hincrby",
     "hincrbyfloat", "hdel", "xadd", "xack", "xtrim", "xdel", "lpush", "rpush", "lpop", "rpop", "lrem", "ltrim",
     "lset", "linsert", "rpoplpush", "lmove", "sadd", "srem", "spop", "smove", "zadd", "zrem", "zincrby",
     "zremrangebyscore", "zremrangebyrank", "zpopmin", "zpopmax", "incr", "incrby", "incrbyfloat", "decr",
     "decrby", "append", "setrange", "expire", "pexpire", "expireat", "pexpireat", "persist", "rename", "delete",
     "unlink", "publish", "spublish", "eval", "evalsha", "register_script", "pfadd", "setbit", "geoadd"}
)  # fmt: skip
TTL_METHODS = frozenset({"setex", "psetex"})  # write a value and its expiry in one call
EXPIRE_METHODS = frozenset({"expire", "pexpire", "expireat", "pexpireat"})  # give an existing key a TTL
PUBLISH_METHODS = frozenset({"publish", "spublish"})
_TTL_KEYWORDS = frozenset({"ex", "px", "exat", "pxat", "keepttl"})
_KEYLESS = frozenset({"eval", "evalsha", "register_script", "mset", "msetnx"})  # argument 0 is a script or a mapping
_URL_STARTS = ("/", "http://", "https://")  # client.delete("/items/1"): an HTTP call, not a Redis key


def expiring_keys(calls: list[tuple[ast.Call, ast.AST]], module: Module) -> None:
    """Remember, per function, the keys given a TTL there, so a HSET followed by EXPIRE reads as a cache."""
    for call, scope in calls:
        func = call.func
        if not isinstance(func, ast.Attribute) or not (func.attr in TTL_METHODS | EXPIRE_METHODS or func.attr == "set"):
            continue
        if func.attr == "set" and not _sets_ttl(call):
            continue
        if _receiver(func, scope, module) is not None:
            key = argument(call, 0, "name")
            identity = _key_identity(key, scope, module)
            module.expiring.add((id(scope), identity))
            # A key spelt as text (f"user:{uid}") or built by a call (self._key(uid)) is the same key file-wide;
            # a bare name (`key`) is only known to be the same within its function.
            if identity and not (isinstance(key, ast.Name) and identity.startswith("expr:")):
                module.expiring_anywhere.add(identity)


def redis_writes(call: ast.Call, func: ast.Attribute, scope: ast.AST, module: Module) -> list[WriteSite]:
    if func.attr not in REDIS_METHODS:
        return []
    receiver = _receiver(func, scope, module)
    if receiver is None:
        return []
    key_expr = None if func.attr in _KEYLESS else argument(call, 0, "name", "channel")
    key = key_text(key_expr, scope, module)
    if key.startswith(_URL_STARTS):
        return []
    kind = _kind(call, func.attr, receiver, (id(scope), _key_identity(key_expr, scope, module)), module)
    return [module.site(kind, REDIS_STORE, key, call, func.attr)]


def _receiver(func: ast.Attribute, scope: ast.AST, module: Module) -> Receiver | None:
    """The receiver when it is a Redis client, else None."""
    receiver = read_receiver(func.value, scope, module.bindings)
    if receiver.made_by in module.classes and "redis" not in receiver.made_by.lower():
        return None  # an object of a class of this file: its set() is its own
    return receiver if receiver.is_redis(module.generic_clients_are_redis) else None


def _kind(call: ast.Call, method: str, receiver: Receiver, key: tuple[int, str], module: Module) -> str:
    if method in PUBLISH_METHODS:
        return PUBSUB
    if method in TTL_METHODS or method in EXPIRE_METHODS or (method == "set" and _sets_ttl(call)):
        return REDIS_CACHE
    if key in module.expiring or key[1] in module.expiring_anywhere or "cache" in receiver.own:
        return REDIS_CACHE
    return REDIS_STATE


def _sets_ttl(call: ast.Call) -> bool:
    """SET with an expiry: set(k, v, ex=60), set(k, v, 60), set(k, v, px=...), set(k, v, keepttl=True)."""
    for keyword in call.keywords:
        if keyword.arg in _TTL_KEYWORDS and not _is_none_or_false(keyword.value):
            return True
    return len(call.args) > 2 and not _is_none_or_false(call.args[2])


def _is_none_or_false(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value in (None, False)


def key_text(expr: ast.expr | None, scope: ast.AST, module: Module) -> str:
    """A key's text when the code spells it (directly or through one name); else ""."""
    return (module.spelled(expr, scope) or "") if expr is not None else ""


def _key_identity(expr: ast.expr | None, scope: ast.AST, module: Module) -> str:
    """What makes two calls name the same key: its text, or else the expression (`key`, `self._key(x)`)."""
    if expr is None:
        return ""
    return key_text(expr, scope, module) or "expr:" + show(expr)

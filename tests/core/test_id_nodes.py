"""Processes alive at the same time make IDs that never meet (spool.core.id_nodes): without node numbers, two
processes making IDs in the same millisecond drew the same sequence now and then."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

from spool.core import id_nodes
from spool.core.snowflake import NODE_SHIFT, next_id

IDS_EACH = 20_000


def _make_ids(start: Any, out: Any) -> None:
    start.wait()
    out.send((id_nodes.node(), [next_id() for _ in range(IDS_EACH)]))
    out.close()


def test_forked_processes_making_ids_at_once_never_make_the_same_one() -> None:
    next_id()  # the parent holds a node too; its children must not share it
    fork = multiprocessing.get_context("fork")
    start = fork.Event()
    pipes = [fork.Pipe(duplex=False) for _ in range(3)]
    children = [fork.Process(target=_make_ids, args=(start, sending)) for _, sending in pipes]
    for child in children:
        child.start()
    start.set()
    made = [receiving.recv() for receiving, _ in pipes]
    for child in children:
        child.join(30)
    nodes = [node for node, _ in made]
    assert len({*nodes, id_nodes.node()}) == 4
    every_id = [made_id for _, ids in made for made_id in ids]
    assert len(set(every_id)) == len(every_id) == 3 * IDS_EACH
    for node, ids in made:
        assert {(made_id >> NODE_SHIFT) & (id_nodes.NODES - 1) for made_id in ids} == {node}


def _hold_slot(folder: Path, held: Any, release: Any) -> None:
    held.send(id_nodes.lease_slot(folder))
    release.wait()


def test_a_slot_is_held_while_its_process_lives_and_free_once_it_ends(tmp_path: Path) -> None:
    fork = multiprocessing.get_context("fork")
    release = fork.Event()
    receiving, sending = fork.Pipe(duplex=False)
    holder = fork.Process(target=_hold_slot, args=(tmp_path, sending, release))
    holder.start()
    slot = receiving.recv()
    assert id_nodes.try_slot(tmp_path, slot) is None  # held by the live process
    release.set()
    holder.join(30)
    descriptor = id_nodes.try_slot(tmp_path, slot)  # its end let the lock go
    assert descriptor is not None
    id_nodes.os.close(descriptor)

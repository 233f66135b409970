"""tail/dijkstra: shortest-path distances from a source in an undirected weighted graph.

The graph has 3-5 (S), 6-10 (M) or 11-20 (L) vertices numbered from 0, each pair joined by at most one edge
of weight 1-20; it may be disconnected. The answer lists the distance of every vertex in vertex order,
``inf`` for a vertex the source cannot reach, e.g. ``0, 4, inf, 9``.

The trace is Dijkstra's algorithm unrolled: a selection state re-writes the tentative distances of every
unvisited vertex and visits the smallest (ties go to the lower vertex number); then one relaxation state per
unvisited neighbour of that vertex, in increasing vertex order, re-writes dist[u], the edge weight and
dist[v] before comparing. When the smallest unvisited distance is inf, a stop state ends the walk.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from reasonry.config import require
from reasonry.generators.turing.common import Rendering, TailConfig, TailTask
from reasonry.task import ItemKey
from reasonry.verifiers.turing.shapes import DIJKSTRA

INF = "inf"

_FORMAT = (" Answer with the distances of vertices 0 to {last} in order, separated by commas, writing inf for a "
           "vertex that cannot be reached.")

_QUESTIONS = (
    "An undirected graph has vertices 0 to {last} and weighted edges {edges}. Find the shortest distance from "
    "vertex {source} to every vertex.",
    "Run Dijkstra's algorithm from vertex {source} on the undirected graph with {n} vertices and edges {edges}.",
    "Cities 0 to {last} are linked by two-way roads with lengths {edges}. How far is each city from city "
    "{source} along the shortest route?",
    "Given the weighted undirected edges {edges} on vertices 0..{last}, compute the single-source shortest "
    "path distances from {source}.",
    "What are the shortest-path distances from node {source} in this undirected graph? Nodes: 0-{last}. "
    "Edges (u-v (weight)): {edges}.",
    "A network of {n} routers (0 to {last}) has links with latencies {edges}; links work both ways. What is the "
    "minimum total latency from router {source} to each router?",
    "Compute dist(v) for every vertex v of the graph with vertices 0..{last} and undirected edges {edges}, "
    "where dist(v) is the length of a shortest path from {source} to v.",
    "Edges {edges} connect the vertices 0 to {last} (undirected, with the weight in parentheses). Starting at "
    "{source}, find all shortest distances.",
    "Find the length of the shortest path from vertex {source} to each of the vertices 0..{last}. The graph is "
    "undirected with edges {edges}.",
    "There are {n} islands numbered 0 to {last}, with ferries running both ways: {edges} (travel time in "
    "parentheses). What is the shortest travel time from island {source} to every island?",
    "Single-source shortest paths: source {source}, vertices 0..{last}, undirected weighted edges {edges}.",
    "Use Dijkstra's algorithm to find the distance from {source} to every vertex in the undirected graph "
    "{edges} on {n} vertices.",
    "A map has {n} towns, 0 to {last}, and trails {edges} (lengths in parentheses, walkable both ways). Give "
    "the shortest walking distance from town {source} to each town.",
    "Given G = (V, E) with V = {{0..{last}}} and undirected weighted E = {edges}, what are the shortest "
    "distances from {source}?",
    "Compute the shortest path lengths from vertex {source}. Undirected graph on {n} vertices; edge list with "
    "weights in parentheses: {edges}.",
    "Rooms 0 to {last} of a building are joined by corridors {edges} (length in parentheses). How far is each "
    "room from room {source}?",
    "For the undirected graph with weighted edges {edges} and vertices 0 through {last}, list the shortest "
    "distance from vertex {source} to every vertex.",
    "In a graph with {n} vertices and undirected edges {edges}, what is the minimum path weight from {source} "
    "to each vertex?",
    "Stations 0 to {last} are connected by two-way tracks {edges} (travel minutes in parentheses). What is the "
    "fastest time from station {source} to each station?",
    "Determine all shortest-path distances from source vertex {source} in the undirected weighted graph "
    "{edges} (vertices 0..{last}).",
    "Vertices: 0..{last}. Undirected edges with costs: {edges}. Cheapest path cost from {source} to each "
    "vertex?",
    "Find, for every vertex of the undirected graph {edges} on vertices 0 to {last}, its distance from vertex "
    "{source}.",
)
TEMPLATES = tuple(q + _FORMAT for q in _QUESTIONS)


# the paper's range of the size parameter per bucket
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"S": (3, 5), "M": (6, 10), "L": (11, 20)}


@dataclass(frozen=True)
class DijkstraConfig(TailConfig):
    sizes: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SIZES))
    max_weight: int = 20
    # expected number of neighbours per vertex is drawn from this range; low values leave vertices unreachable
    mean_degree: tuple[float, float] = (1.2, 4.0)

    def __post_init__(self):
        super().__post_init__()
        require(self.max_weight >= 1, "max_weight", "edge weights are at least 1")
        low, high = self.mean_degree
        require(0 < low <= high, "mean_degree", f"a range 0 < low <= high, got {[low, high]}")
        for bucket, (low_n, _high) in self.sizes.items():
            require(low_n >= 2, f"sizes.{bucket}", "a graph needs at least 2 vertices")


def _dist(d: int | None) -> str:
    return INF if d is None else str(d)


def _listing(dist: list[int | None], vertices) -> str:
    return " ".join(f"{v}={_dist(dist[v])}" for v in vertices)


def dijkstra_trace(n: int, edges: list[tuple[int, int, int]], source: int,
                   rendering: Rendering) -> tuple[str, list[str]]:
    """Distances (answer text) and the trace lines (without the final-answer line)."""
    write = DIJKSTRA.writer(rendering)
    adj: dict[int, dict[int, int]] = {v: {} for v in range(n)}
    for u, v, w in edges:
        adj[u][v] = w
        adj[v][u] = w
    dist: list[int | None] = [None] * n
    dist[source] = 0
    lines = [write("graph", edges=" ".join(f"{u}-{v}:{w}" for u, v, w in edges) or "none", source=source),
             write("init", dist=_listing(dist, range(n)))]
    unvisited = list(range(n))
    step = 0
    while unvisited:
        step += 1
        shown = _listing(dist, unvisited)
        reachable = [(d, v) for v in unvisited if (d := dist[v]) is not None]
        if not reachable:
            lines.append(write("stop", step=step, dist=shown))
            break
        du, u = min(reachable)
        lines.append(write("select", step=step, dist=shown, u=u, du=du))
        unvisited.remove(u)
        for v in sorted(adj[u]):
            if v not in unvisited:
                continue
            step += 1
            w, dv = adj[u][v], dist[v]
            total = du + w
            better = dv is None or total < dv
            if better:
                dist[v] = total
            lines.append(write("relax", step=step, u=u, v=v, du=du, w=w, dv=_dist(dv), total=total,
                               op="<" if better else ">=", new=dist[v]))
    lines.append(write("result", dist=_listing(dist, range(n))))
    return ", ".join(_dist(d) for d in dist), lines


def random_graph(rng: random.Random, n: int, config: DijkstraConfig) -> list[tuple[int, int, int]]:
    degree = rng.uniform(*config.mean_degree)
    p = min(1.0, degree / (n - 1))
    return [(u, v, rng.randint(1, config.max_weight))
            for u in range(n) for v in range(u + 1, n) if rng.random() < p]


class DijkstraTask(TailTask):
    Config = DijkstraConfig
    answer_type = "list"
    default_sizes = DEFAULT_SIZES
    templates = TEMPLATES

    def generate(self, config: DijkstraConfig, key: ItemKey, rng: random.Random) -> dict | None:
        n = self.draw_size(config, key, rng)
        edges = random_graph(rng, n, config)
        source = rng.randrange(n)
        edge_text = ", ".join(f"{u}-{v} ({w})" for u, v, w in edges) or "none"
        template, prompt = self.pose(rng, n=n, last=n - 1, source=source, edges=edge_text)
        answer, lines = dijkstra_trace(n, edges, source, config.rendering)
        problem = {"n": n, "source": source, "edges": [list(e) for e in edges]}
        unreachable = answer.split(", ").count(INF)
        return self.finish(key, config, problem=problem, template=template, prompt=prompt, answer=answer,
                           trace_lines=lines, spec=problem,
                           difficulty={"vertices": n, "edges": len(edges), "unreachable": unreachable})

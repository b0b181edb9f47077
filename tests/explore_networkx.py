#!/usr/bin/env python3
"""The reference for tests/explore.rs: networkx's answers on the graph Qualmap built.

Reads JSON from standard input: {"nodes": [...], "arcs": [[u, v, one_way], ...],
"pairs": [[s, t], ...], "cutoff": N, "loop_bound": N}, with nodes as indices. Writes JSON:
simple paths (cutoff steps) and all shortest paths per pair, simple cycles of the one-way arcs
(length_bound), betweenness centrality (normalised, directed) on the arcs plus the memberships
("members": [[concept, area], ...], both ways) and degrees (parallel arcs count).
"""
import json, sys
import networkx as nx

data = json.load(sys.stdin)
n = len(data["nodes"])
G = nx.DiGraph()
G.add_nodes_from(range(n))
M = nx.MultiDiGraph()
M.add_nodes_from(range(n))
O = nx.DiGraph()
O.add_nodes_from(range(n))
for u, v, one_way in data["arcs"]:
    G.add_edge(u, v)
    M.add_edge(u, v)
    if one_way:
        O.add_edge(u, v)

def rotated(cycle):
    i = cycle.index(min(cycle))
    return cycle[i:] + cycle[:i]

out = {"simple": [], "shortest": []}
for s, t in data["pairs"]:
    out["simple"].append(sorted(nx.all_simple_paths(G, s, t, cutoff=data["cutoff"])))
    try:
        out["shortest"].append(sorted(nx.all_shortest_paths(G, s, t)))
    except nx.NetworkXNoPath:
        out["shortest"].append([])
out["cycles"] = sorted(rotated(c) for c in nx.simple_cycles(O, length_bound=data["loop_bound"]))
S = G.copy()
for c, a in data["members"]:
    S.add_edge(c, a)
    S.add_edge(a, c)
bc = nx.betweenness_centrality(S)
out["betweenness"] = [bc[i] for i in range(n)]
out["in_degree"] = [M.in_degree(i) for i in range(n)]
out["out_degree"] = [M.out_degree(i) for i in range(n)]
json.dump(out, sys.stdout)

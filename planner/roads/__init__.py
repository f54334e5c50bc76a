"""Real road travel times and route shapes from an OpenStreetMap extract, offline.

Needs the optional ``roads`` extra (pyosmium, scipy); nothing here is imported on the
default path. See ``docs/roads.md``.

* :mod:`planner.roads.profile`: speeds per road class (OSRM's car profile), maxspeed,
  surface, access, one-way, the winding-road slow-down;
* :mod:`planner.roads.osm`: reading the drivable ways of a ``.osm.pbf`` with pyosmium;
* :mod:`planner.roads.graph`: the junction graph, snapping, scipy Dijkstra, leg shapes;
* :mod:`planner.roads.network`: build or load a network, matrices with unreachable pairs
  explained, cached (:mod:`planner.roads.cache`);
* :mod:`planner.roads.travel`: :class:`~planner.roads.travel.RoadTravel`, the planner's
  travel model on roads;
* :mod:`planner.roads.osrm`: the same interface on an OSRM server;
* :mod:`planner.roads.download`, :mod:`planner.roads.calibrate`, :mod:`planner.roads.cli`:
  ``kinito roads download|build|calibrate`` and ``kinito plan --roads``.
"""

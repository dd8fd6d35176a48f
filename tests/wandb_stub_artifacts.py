"""W&B artifacts on the local stub (tests/wandb_stub.py): what the real wandb client (0.31: wandb-core logs, the
Python SDK queries and downloads) sends to log, commit, find, use and download an artifact, answered from memory.

Logging (wandb-core, `run.log_artifact`): CreateArtifact (a version of the collection, its aliases moved to it)
-> CreateArtifactManifest (an upload URL for the manifest) -> CreateArtifactFiles (an upload URL per file) ->
PUT of every file and of the manifest -> CommitArtifact. `artifact.wait()` then reads it back (ArtifactByID).
Using (`run.use_artifact("name:alias")`): ArtifactMembershipByName, then UseArtifact (wandb-core: the run's input).
Downloading (`artifact.download()`): FetchArtifactManifest (the manifest's URL), GetArtifactMembershipFileUrls
(each file's URL), GETs. Listing (`wandb.Api().artifacts(type, "entity/project/name")`): ProjectArtifacts.

Names, aliases, versions and digests follow W&B's rules where the client depends on them: versions v0, v1, ...
per collection; `latest` on the newest; an alias names one version of a collection (given again, it moves); a
version logged with the digest of an existing one is that version (its aliases added), as W&B deduplicates.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

CREATED_AT = "2026-01-01T00:00:00"


@dataclass
class StubArtifact:
    """One artifact version."""

    id: str
    entity: str
    project: str
    collection: str
    type: str
    version: int
    digest: str
    run: str | None
    """The run that logged it."""
    metadata: str | None = None
    state: str = "PENDING"
    aliases: set[str] = field(default_factory=set)
    manifest: bytes | None = None
    files: dict[str, str] = field(default_factory=dict)
    """File name in the artifact -> storage path of its blob."""
    used_by: list[str] = field(default_factory=list)
    """Runs that declared it as an input (UseArtifact)."""
    committed_at: float | None = None
    """time.time() when CommitArtifact made it a version."""


class ArtifactStore:
    """The artifacts of one stub (`stub.artifacts`); `answer` and `http` are called by StubServer.handle."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.versions: dict[str, StubArtifact] = {}
        """By artifact id, in creation order."""
        self.blobs: dict[str, bytes] = {}
        """Uploaded bytes by storage path (files) or `manifest/<artifact id>`."""
        self._lock = threading.Lock()

    # --- queries for tests ------------------------------------------------------------------------

    def of(self, collection: str) -> list[StubArtifact]:
        """The versions of a collection (by name), oldest first."""
        return [a for a in self.versions.values() if a.collection == collection]

    def content(self, artifact: StubArtifact, name: str) -> bytes:
        return self.blobs[artifact.files[name]]

    # --- HTTP ------------------------------------------------------------------------------------

    def http(self, method: str, parts: list[str], body: bytes) -> tuple[int, bytes] | None:
        """Uploads (PUT /artifact-blobs/<path>) and downloads (GET); None: not an artifact request."""
        if not parts or parts[0] != "artifact-blobs":
            return None
        key = "/".join(parts[1:])
        with self._lock:
            if method == "PUT":
                self.blobs[key] = body
                return 200, b""
            if method == "GET" and key in self.blobs:
                return 200, self.blobs[key]
        return 404, b'{"error": "not found"}'

    def _blob_url(self, key: str) -> str:
        return f"{self.url}/artifact-blobs/{key}"

    # --- GraphQL ---------------------------------------------------------------------------------

    def answer(self, query: str, variables: dict[str, Any]) -> dict[str, Any] | None:
        """The `data` of an artifact operation; None when the query is not one."""
        found = re.match(r"\s*(?:query|mutation)\s+(\w+)", query)
        operation = found.group(1) if found else ""
        handler = getattr(self, f"_op_{operation}", None)
        if handler is None:
            return None
        with self._lock:
            return handler(variables)

    def _op_ServerFeaturesQuery(self, v: dict[str, Any]) -> dict[str, Any]:  # noqa: N802 (GraphQL's names)
        return {"serverInfo": {"features": []}}

    def _op_XXHashDigestsEnabled(self, v: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        return {"entity": {"xxhashDigestsEnabled": False}}

    def _op_FetchOrgEntityFromEntity(self, v: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        return {"entity": {"organization": None}}

    def _op_ArtifactType(self, v: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        """Python, before logging: the type of an existing artifact of that name (None: a new collection)."""
        found = self._find(v.get("entity"), v.get("project"), v["name"])
        return {"project": {"artifact": {"artifactType": {"name": found.type}} if found else None}}

    def _op_FetchArtifactDigestAlgorithm(self, v: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        return {"project": {"artifactType": {"artifactCollection": None}}}

    def _op_CreateArtifact(self, v: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        data = v["input"]
        entity, project = data.get("entityName"), data.get("projectName")
        names = data.get("artifactCollectionNames") or [data.get("artifactCollectionName")]
        collection = names[0]
        aliases = {a["alias"] if isinstance(a, dict) else a for a in data.get("aliases") or []}
        same = [
            a for a in self.versions.values() if (a.entity, a.project, a.collection) == (entity, project, collection)
        ]
        artifact = next((a for a in same if a.digest == data.get("digest") and a.state == "COMMITTED"), None)
        if artifact is None:
            artifact = StubArtifact(
                f"art{len(self.versions) + 1}", entity, project, collection, data.get("artifactTypeName"),
                len(same), data.get("digest"), data.get("runName"), data.get("metadata"),
            )  # fmt: skip
            self.versions[artifact.id] = artifact
        self._alias(artifact, aliases | {"latest"})
        latest = max(same + [artifact], key=lambda a: a.version)
        return {"createArtifact": {"artifact": {
            "id": artifact.id, "state": artifact.state,
            "artifactSequence": {"latestArtifact": {"id": latest.id}},
        }}}  # fmt: skip

    def _alias(self, artifact: StubArtifact, aliases: set[str]) -> None:
        """Give `aliases` to `artifact`, taking them from the collection's other versions."""
        for other in self.versions.values():
            if (other.entity, other.project, other.collection) == (artifact.entity, artifact.project,
                                                                    artifact.collection):  # fmt: skip
                other.aliases -= aliases
        artifact.aliases |= aliases

    def _op_CreateArtifactManifest(self, v: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        key = f"manifest/{v['artifactID']}"
        file = {"id": f"f-{key}", "uploadUrl": self._blob_url(key), "uploadHeaders": []}
        return {"createArtifactManifest": {"artifactManifest": {"id": f"m-{v['artifactID']}", "file": file}}}

    def _op_UpdateArtifactManifest(self, v: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        artifact_id = v["artifactManifestID"].removeprefix("m-")
        key = f"manifest/{artifact_id}"
        file = {"id": f"f-{key}", "uploadUrl": self._blob_url(key), "uploadHeaders": []}
        return {"updateArtifactManifest": {"artifactManifest": {"id": v["artifactManifestID"], "file": file}}}

    def _op_CreateArtifactFiles(self, v: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        edges = []
        for spec in v["input"]["artifactFiles"]:
            artifact = self.versions[spec["artifactID"]]
            path = f"{artifact.id}/{spec['name']}"
            artifact.files[spec["name"]] = path
            edges.append({"node": {
                "storagePath": path, "uploadUrl": self._blob_url(path), "uploadHeaders": [],
                "uploadMultipartUrls": None, "artifact": {"id": artifact.id},
            }})  # fmt: skip
        return {"createArtifactFiles": {"files": {"edges": edges}}}

    def _op_CommitArtifact(self, v: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        artifact = self.versions[v["artifactID"]]
        artifact.manifest = self.blobs.get(f"manifest/{artifact.id}")
        artifact.state = "COMMITTED"
        artifact.committed_at = time.time()
        return {"commitArtifact": {"artifact": {"id": artifact.id, "digest": artifact.digest}}}

    def _op_ArtifactByID(self, v: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        artifact = self.versions.get(v["id"])
        return {"artifact": self._fragment(artifact) if artifact else None}

    def _op_ArtifactMembershipByName(self, v: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        artifact = self._find(v["entity"], v["project"], v["name"])
        membership = self._membership(artifact) if artifact is not None else None
        return {"project": {**self._project(v["entity"], v["project"]), "artifactCollectionMembership": membership}}

    def _op_UseArtifact(self, v: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        """The run's input (Python: `run.use_artifact`, variables at the top; wandb-core: under `input`)."""
        data = v.get("input") or v
        artifact = self.versions.get(data.get("artifactID"))
        if artifact is None:
            return {"useArtifact": {"artifact": None}}
        artifact.used_by.append(data.get("runName"))
        return {"useArtifact": {"artifact": {
            "id": artifact.id, "digest": artifact.digest, "description": None, "state": artifact.state,
            "createdAt": CREATED_AT, "metadata": artifact.metadata,
        }}}  # fmt: skip

    def _op_FetchArtifactManifest(self, v: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        artifact = self.versions.get(v["id"])
        if artifact is None:
            return {"artifact": None}
        return {"artifact": {"currentManifest": {"file": {"directUrl": self._blob_url(f"manifest/{artifact.id}")}}}}

    _op_ArtifactManifest = _op_FetchArtifactManifest

    def _op_GetArtifactMembershipFileUrls(self, v: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        artifact = self._find(v["entity"], v["project"], f"{v['collection']}:{v['alias']}")
        if artifact is None:
            return {"project": {"artifactCollection": None}}
        nodes = [{"__typename": "File", "name": name, "directUrl": self._blob_url(path)}
                 for name, path in sorted(artifact.files.items())]  # fmt: skip
        files = {"pageInfo": {"__typename": "PageInfo", "endCursor": None, "hasNextPage": False},
                 "edges": [{"node": n} for n in nodes]}  # fmt: skip
        membership = {"files": files}
        return {"project": {"artifactCollection": {"__typename": "ArtifactSequence", "artifactMembership": membership}}}

    def _op_ProjectArtifacts(self, v: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        """wandb.Api().artifacts(type, "entity/project/collection"): every committed version, newest first."""
        versions = [a for a in self.versions.values() if (a.entity, a.project, a.collection, a.type) ==
                    (v["entity"], v["project"], v["collection"], v["type"]) and a.state == "COMMITTED"]  # fmt: skip
        if not versions:
            return {"project": {"artifactType": {"artifactCollection": None}}}
        versions.sort(key=lambda a: -a.version)
        edges = [{"version": f"v{a.version}", "node": self._fragment(a)} for a in versions]
        connection = {"totalCount": len(edges), "edges": edges,
                      "pageInfo": {"__typename": "PageInfo", "endCursor": None, "hasNextPage": False}}  # fmt: skip
        collection = {"__typename": "ArtifactSequence", "artifacts": connection}
        return {"project": {"artifactType": {"artifactCollection": collection}}}

    # --- shapes ----------------------------------------------------------------------------------

    def _find(self, entity: str | None, project: str | None, name: str) -> StubArtifact | None:
        """`collection:alias` or `collection:vN` among committed versions (None: no such version)."""
        collection, _, alias = name.partition(":")
        alias = alias or "latest"
        for artifact in self.versions.values():
            if artifact.collection != collection or artifact.state != "COMMITTED":
                continue
            if (entity and artifact.entity != entity) or (project and artifact.project != project):
                continue
            if alias in artifact.aliases or alias == f"v{artifact.version}":
                return artifact
        return None

    @staticmethod
    def _project(entity: str, project: str) -> dict[str, Any]:
        return {"id": "p1", "internalId": "1", "name": project, "entity": {"name": entity}}

    def _collection(self, artifact: StubArtifact) -> dict[str, Any]:
        return {"__typename": "ArtifactSequence", "name": artifact.collection,
                "project": self._project(artifact.entity, artifact.project)}  # fmt: skip

    def _aliases(self, artifact: StubArtifact) -> list[dict[str, Any]]:
        return [{"__typename": "ArtifactAlias", "id": f"{artifact.id}-{a}", "alias": a,
                 "artifactCollection": self._collection(artifact)} for a in sorted(artifact.aliases)]  # fmt: skip

    def _fragment(self, artifact: StubArtifact) -> dict[str, Any]:
        """ArtifactFragment."""
        manifest = json.loads(artifact.manifest) if artifact.manifest else {}
        contents = manifest.get("contents") or {}
        return {
            "__typename": "Artifact",
            "id": artifact.id,
            "artifactSequence": self._collection(artifact),
            "versionIndex": artifact.version,
            "artifactType": {"name": artifact.type},
            "description": None,
            "metadata": artifact.metadata,
            "ttlDurationSeconds": -2,
            "ttlIsInherited": True,
            "tags": [],
            "historyStep": None,
            "state": artifact.state,
            "size": sum(int(e.get("size") or 0) for e in contents.values()),
            "digest": artifact.digest,
            "digestAlgorithm": None,
            "commitHash": f"c{artifact.id}",
            "fileCount": len(contents),
            "createdAt": CREATED_AT,
            "updatedAt": None,
            "aliases": self._aliases(artifact),
        }

    def _membership(self, artifact: StubArtifact) -> dict[str, Any]:
        """ArtifactMembershipFragment."""
        return {
            "__typename": "ArtifactCollectionMembership",
            "id": f"mem-{artifact.id}",
            "versionIndex": artifact.version,
            "createdAt": CREATED_AT,
            "aliases": self._aliases(artifact),
            "artifactCollection": self._collection(artifact),
            "artifact": self._fragment(artifact),
        }

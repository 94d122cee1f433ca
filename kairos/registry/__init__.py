"""Our OCI Distribution client: image references (``reference``), registry auth (``auth``, ``realms``), the
requests a pullability check needs (``client``) and repository discovery (``discovery``).

Import from the modules themselves: a package that re-exported them would be imported by each of them in turn
(``from kairos.registry import auth``) and close an import cycle."""

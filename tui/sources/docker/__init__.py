"""Container engines (docker, podman) for the Containers pane: no Textual here.

A module a job:

    endpoint    which engine, decided like the docker CLI: --docker-host, DOCKER_HOST,
                docker contexts, the default socket, podman's sockets
    engine      connecting: a client that answered, EngineInfo, EngineUnavailable
    rows        ContainerRow from `docker inspect`, classify (status and rank)
    stats       Usage from a stats stream reading, computed like `docker stats`
    crashloop   CrashTracker: failed exits in a window make a crash loop
    model       DockerDelta, DockerTransition, EngineStatus
    streams     the events and stats streams, closable from another thread
    watcher     DockerWatcher: the threads that keep rows live
    actions     restart, stop, start, kill, compose service restart
    masking     secrets hidden in env, labels and arguments
    detail      `docker inspect` as sections for a screen
    logreader   EngineLogReader: the Logs pane's ContainerLogReader

Nothing is imported here: the console imports the modules it needs, when it needs them.

    watcher = DockerWatcher(lambda: connect_first(resolve(explicit_url)))
    watcher.start()        # returns at once
    delta = watcher.drain()  # a few times a second, from the app
    watcher.stop()         # returns at once
"""

# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_casctl_global_optspecs
    string join \n kubeconfig= context= n/namespace= name= color= q/quiet v/verbose h/help V/version
end

function __fish_casctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_casctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_casctl_using_subcommand
    set -l cmd (__fish_casctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c casctl -n "__fish_casctl_needs_command" -l kubeconfig -d 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c casctl -n "__fish_casctl_needs_command" -l context -d 'The kubeconfig context to use [default: the current context]' -r
complete -c casctl -n "__fish_casctl_needs_command" -s n -l namespace -d 'Namespace [default: the context\'s namespace, else `default`]' -r
complete -c casctl -n "__fish_casctl_needs_command" -l name -d 'Name of the Service, the StatefulSet and the pod prefix' -r
complete -c casctl -n "__fish_casctl_needs_command" -l color -d 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c casctl -n "__fish_casctl_needs_command" -s q -l quiet -d 'Print only errors, warnings and the data asked for'
complete -c casctl -n "__fish_casctl_needs_command" -s v -l verbose -d 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
complete -c casctl -n "__fish_casctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c casctl -n "__fish_casctl_needs_command" -s V -l version -d 'Print version'
complete -c casctl -n "__fish_casctl_needs_command" -f -a "render" -d 'Print the objects `up` would apply (needs no cluster)'
complete -c casctl -n "__fish_casctl_needs_command" -f -a "up" -d 'Preflight, apply the Service and the StatefulSet, and follow the rollout to completion'
complete -c casctl -n "__fish_casctl_needs_command" -f -a "status" -d 'Show the Service, the StatefulSet, the pods and the ring, with warnings where they disagree'
complete -c casctl -n "__fish_casctl_needs_command" -f -a "scale" -d 'Grow or shrink the ring; shrinking decommissions the highest ordinals first'
complete -c casctl -n "__fish_casctl_needs_command" -f -a "down" -d 'Tear the ring down, waiting for the pods to be gone; volumes are kept unless purged'
complete -c casctl -n "__fish_casctl_needs_command" -f -a "nodetool" -d 'Run nodetool in a pod; its output and exit code are passed through'
complete -c casctl -n "__fish_casctl_needs_command" -f -a "restart" -d 'Restart the pods one at a time: drain, delete, wait until the ring is whole again'
complete -c casctl -n "__fish_casctl_needs_command" -f -a "rbac" -d 'Print the least-privilege Role, ClusterRole and bindings every command needs, as YAML for `kubectl apply -f -` (needs no cluster)'
complete -c casctl -n "__fish_casctl_needs_command" -f -a "completions" -d 'Print a shell completion script for the `casctl` command'
complete -c casctl -n "__fish_casctl_needs_command" -f -a "man" -d 'Print the man page (roff)'
complete -c casctl -n "__fish_casctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c casctl -n "__fish_casctl_using_subcommand render" -s o -l output -d 'Output format' -r -f -a "yaml\t''
json\t''"
complete -c casctl -n "__fish_casctl_using_subcommand render" -l replicas -d 'Number of Cassandra nodes, 1 to 1000 [template: 3]' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -l image -d 'Container image, [REGISTRY/]REPOSITORY[:TAG][@sha256:DIGEST] with a lower-case repository [template: gcr.io/google-samples/cassandra:v13]' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -l cluster-name -d 'CASSANDRA_CLUSTER_NAME [template: K8Demo]' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -l dc -d 'CASSANDRA_DC [template: DC1-K8Demo]' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -l rack -d 'CASSANDRA_RACK [template: Rack1-K8Demo]' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -l num-tokens -d 'CASSANDRA_NUM_TOKENS, vnodes per node, 1 to 1536 [template: 32]' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -l rpc-address -d 'CASSANDRA_RPC_ADDRESS, an IPv4 or IPv6 address [template: 0.0.0.0]' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -l env -d 'Any other variable the image\'s run.sh reads, e.g. CASSANDRA_AUTO_BOOTSTRAP=false (repeatable; overrides the values above)' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -l heap-max -d 'MAX_HEAP_SIZE, a JVM size such as 512M or 4G [template: 512M]' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -l heap-new -d 'HEAP_NEWSIZE, a JVM size such as 100M [template: 100M]' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -l cpu -d 'CPU request and limit, e.g. 500m or 2 [template: 500m]' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -l memory -d 'Memory request and limit, e.g. 1Gi or 4Gi [template: 1Gi]' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -l storage-class -d 'StorageClass of the data volumes, or \'\' for no class: the claims then bind only volumes that have no class [template: fast]' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -l storage-size -d 'Size of each data volume [template: 1Gi]' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -l cluster-domain -d 'Cluster DNS domain, used in the seed address' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -l templates -d 'Directory with your own service.yaml and statefulset.yaml (and optionally storageclass.yaml) to use as the base instead of the built-in ones' -r -F
complete -c casctl -n "__fish_casctl_using_subcommand render" -l racks -d 'Racks, e.g. r1,r2,r3: one StatefulSet <name>-<rack> each, CASSANDRA_RACK=<rack>, pinned to a zone each when there are enough [default: one rack, the tutorial\'s StatefulSet]' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -l zone-label -d 'Node label whose values are the zones racks are pinned to' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -l kubeconfig -d 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c casctl -n "__fish_casctl_using_subcommand render" -l context -d 'The kubeconfig context to use [default: the current context]' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -s n -l namespace -d 'Namespace [default: the context\'s namespace, else `default`]' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -l name -d 'Name of the Service, the StatefulSet and the pod prefix' -r
complete -c casctl -n "__fish_casctl_using_subcommand render" -l color -d 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c casctl -n "__fish_casctl_using_subcommand render" -l create-storage-class -d 'Also render the tutorial\'s StorageClass (as `up --create-storage-class` would apply)'
complete -c casctl -n "__fish_casctl_using_subcommand render" -s q -l quiet -d 'Print only errors, warnings and the data asked for'
complete -c casctl -n "__fish_casctl_using_subcommand render" -s v -l verbose -d 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
complete -c casctl -n "__fish_casctl_using_subcommand render" -s h -l help -d 'Print help'
complete -c casctl -n "__fish_casctl_using_subcommand render" -s V -l version -d 'Print version'
complete -c casctl -n "__fish_casctl_using_subcommand up" -l timeout -d 'How long the whole command may take (preflight, apply, rollout, cleanup), e.g. 30s, 5m, 1h or 1m30s' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l dry-run -d 'Only show what would be applied' -r -f -a "client\t'Print what would be applied; talk to no cluster'
server\t'Send the apply with dry run and report what would change'"
complete -c casctl -n "__fish_casctl_using_subcommand up" -l replicas -d 'Number of Cassandra nodes, 1 to 1000 [template: 3]' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l image -d 'Container image, [REGISTRY/]REPOSITORY[:TAG][@sha256:DIGEST] with a lower-case repository [template: gcr.io/google-samples/cassandra:v13]' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l cluster-name -d 'CASSANDRA_CLUSTER_NAME [template: K8Demo]' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l dc -d 'CASSANDRA_DC [template: DC1-K8Demo]' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l rack -d 'CASSANDRA_RACK [template: Rack1-K8Demo]' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l num-tokens -d 'CASSANDRA_NUM_TOKENS, vnodes per node, 1 to 1536 [template: 32]' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l rpc-address -d 'CASSANDRA_RPC_ADDRESS, an IPv4 or IPv6 address [template: 0.0.0.0]' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l env -d 'Any other variable the image\'s run.sh reads, e.g. CASSANDRA_AUTO_BOOTSTRAP=false (repeatable; overrides the values above)' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l heap-max -d 'MAX_HEAP_SIZE, a JVM size such as 512M or 4G [template: 512M]' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l heap-new -d 'HEAP_NEWSIZE, a JVM size such as 100M [template: 100M]' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l cpu -d 'CPU request and limit, e.g. 500m or 2 [template: 500m]' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l memory -d 'Memory request and limit, e.g. 1Gi or 4Gi [template: 1Gi]' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l storage-class -d 'StorageClass of the data volumes, or \'\' for no class: the claims then bind only volumes that have no class [template: fast]' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l storage-size -d 'Size of each data volume [template: 1Gi]' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l cluster-domain -d 'Cluster DNS domain, used in the seed address' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l templates -d 'Directory with your own service.yaml and statefulset.yaml (and optionally storageclass.yaml) to use as the base instead of the built-in ones' -r -F
complete -c casctl -n "__fish_casctl_using_subcommand up" -l racks -d 'Racks, e.g. r1,r2,r3: one StatefulSet <name>-<rack> each, CASSANDRA_RACK=<rack>, pinned to a zone each when there are enough [default: one rack, the tutorial\'s StatefulSet]' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l zone-label -d 'Node label whose values are the zones racks are pinned to' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l kubeconfig -d 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c casctl -n "__fish_casctl_using_subcommand up" -l context -d 'The kubeconfig context to use [default: the current context]' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -s n -l namespace -d 'Namespace [default: the context\'s namespace, else `default`]' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l name -d 'Name of the Service, the StatefulSet and the pod prefix' -r
complete -c casctl -n "__fish_casctl_using_subcommand up" -l color -d 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c casctl -n "__fish_casctl_using_subcommand up" -l no-wait -d 'Apply and return without waiting for the rollout'
complete -c casctl -n "__fish_casctl_using_subcommand up" -l no-ring-check -d 'Consider the rollout complete without checking the ring with nodetool'
complete -c casctl -n "__fish_casctl_using_subcommand up" -l create-storage-class -d 'Create the tutorial\'s StorageClass (minikube\'s hostpath provisioner) first'
complete -c casctl -n "__fish_casctl_using_subcommand up" -l force-conflicts -d 'Take over fields that another field manager owns'
complete -c casctl -n "__fish_casctl_using_subcommand up" -l no-cleanup -d 'After the ring grew, do not run `nodetool cleanup` on the nodes that were there before'
complete -c casctl -n "__fish_casctl_using_subcommand up" -l wait-for-lock -d 'When another command holds the ring\'s lock, wait for it instead of refusing'
complete -c casctl -n "__fish_casctl_using_subcommand up" -s q -l quiet -d 'Print only errors, warnings and the data asked for'
complete -c casctl -n "__fish_casctl_using_subcommand up" -s v -l verbose -d 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
complete -c casctl -n "__fish_casctl_using_subcommand up" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c casctl -n "__fish_casctl_using_subcommand up" -s V -l version -d 'Print version'
complete -c casctl -n "__fish_casctl_using_subcommand status" -s o -l output -d 'Output format' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''"
complete -c casctl -n "__fish_casctl_using_subcommand status" -l kubeconfig -d 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c casctl -n "__fish_casctl_using_subcommand status" -l context -d 'The kubeconfig context to use [default: the current context]' -r
complete -c casctl -n "__fish_casctl_using_subcommand status" -s n -l namespace -d 'Namespace [default: the context\'s namespace, else `default`]' -r
complete -c casctl -n "__fish_casctl_using_subcommand status" -l name -d 'Name of the Service, the StatefulSet and the pod prefix' -r
complete -c casctl -n "__fish_casctl_using_subcommand status" -l color -d 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c casctl -n "__fish_casctl_using_subcommand status" -l no-ring -d 'Do not run `nodetool status` in a pod'
complete -c casctl -n "__fish_casctl_using_subcommand status" -s q -l quiet -d 'Print only errors, warnings and the data asked for'
complete -c casctl -n "__fish_casctl_using_subcommand status" -s v -l verbose -d 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
complete -c casctl -n "__fish_casctl_using_subcommand status" -s h -l help -d 'Print help'
complete -c casctl -n "__fish_casctl_using_subcommand status" -s V -l version -d 'Print version'
complete -c casctl -n "__fish_casctl_using_subcommand scale" -l timeout -d 'How long to wait for the whole change, e.g. 30s, 5m, 1h or 1m30s' -r
complete -c casctl -n "__fish_casctl_using_subcommand scale" -l kubeconfig -d 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c casctl -n "__fish_casctl_using_subcommand scale" -l context -d 'The kubeconfig context to use [default: the current context]' -r
complete -c casctl -n "__fish_casctl_using_subcommand scale" -s n -l namespace -d 'Namespace [default: the context\'s namespace, else `default`]' -r
complete -c casctl -n "__fish_casctl_using_subcommand scale" -l name -d 'Name of the Service, the StatefulSet and the pod prefix' -r
complete -c casctl -n "__fish_casctl_using_subcommand scale" -l color -d 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c casctl -n "__fish_casctl_using_subcommand scale" -l skip-decommission -d 'Shrink without `nodetool decommission` (the removed nodes stay DN in the ring)'
complete -c casctl -n "__fish_casctl_using_subcommand scale" -l force -d 'Scale down even when some ring node is not Up/Normal, or below a keyspace\'s replication factor (then with `nodetool decommission --force`)'
complete -c casctl -n "__fish_casctl_using_subcommand scale" -l no-cleanup -d 'After the ring grew, do not run `nodetool cleanup` on the nodes that were there before'
complete -c casctl -n "__fish_casctl_using_subcommand scale" -l no-ring-check -d 'Consider scale-up complete without checking the ring with nodetool'
complete -c casctl -n "__fish_casctl_using_subcommand scale" -l wait-for-lock -d 'When another command holds the ring\'s lock, wait for it instead of refusing'
complete -c casctl -n "__fish_casctl_using_subcommand scale" -s q -l quiet -d 'Print only errors, warnings and the data asked for'
complete -c casctl -n "__fish_casctl_using_subcommand scale" -s v -l verbose -d 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
complete -c casctl -n "__fish_casctl_using_subcommand scale" -s h -l help -d 'Print help'
complete -c casctl -n "__fish_casctl_using_subcommand scale" -s V -l version -d 'Print version'
complete -c casctl -n "__fish_casctl_using_subcommand down" -l timeout -d 'How long to wait for the pods to terminate, e.g. 30s, 5m, 1h or 1m30s [default: the grace period plus a margin]' -r
complete -c casctl -n "__fish_casctl_using_subcommand down" -l kubeconfig -d 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c casctl -n "__fish_casctl_using_subcommand down" -l context -d 'The kubeconfig context to use [default: the current context]' -r
complete -c casctl -n "__fish_casctl_using_subcommand down" -s n -l namespace -d 'Namespace [default: the context\'s namespace, else `default`]' -r
complete -c casctl -n "__fish_casctl_using_subcommand down" -l name -d 'Name of the Service, the StatefulSet and the pod prefix' -r
complete -c casctl -n "__fish_casctl_using_subcommand down" -l color -d 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c casctl -n "__fish_casctl_using_subcommand down" -l purge-volumes -d 'Also delete the data volumes (PersistentVolumeClaims) once every pod is gone'
complete -c casctl -n "__fish_casctl_using_subcommand down" -s y -l yes -d 'Do not ask for confirmation before purging volumes (only with --purge-volumes)'
complete -c casctl -n "__fish_casctl_using_subcommand down" -l wait-for-lock -d 'When another command holds the ring\'s lock, wait for it instead of refusing'
complete -c casctl -n "__fish_casctl_using_subcommand down" -s q -l quiet -d 'Print only errors, warnings and the data asked for'
complete -c casctl -n "__fish_casctl_using_subcommand down" -s v -l verbose -d 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
complete -c casctl -n "__fish_casctl_using_subcommand down" -s h -l help -d 'Print help'
complete -c casctl -n "__fish_casctl_using_subcommand down" -s V -l version -d 'Print version'
complete -c casctl -n "__fish_casctl_using_subcommand nodetool" -l pod -d 'Pod to run in [default: the first Ready pod, <name>-0 preferred]' -r
complete -c casctl -n "__fish_casctl_using_subcommand nodetool" -l timeout -d 'How long nodetool may run, e.g. 30s, 5m or 1m30s' -r
complete -c casctl -n "__fish_casctl_using_subcommand nodetool" -l kubeconfig -d 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c casctl -n "__fish_casctl_using_subcommand nodetool" -l context -d 'The kubeconfig context to use [default: the current context]' -r
complete -c casctl -n "__fish_casctl_using_subcommand nodetool" -s n -l namespace -d 'Namespace [default: the context\'s namespace, else `default`]' -r
complete -c casctl -n "__fish_casctl_using_subcommand nodetool" -l name -d 'Name of the Service, the StatefulSet and the pod prefix' -r
complete -c casctl -n "__fish_casctl_using_subcommand nodetool" -l color -d 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c casctl -n "__fish_casctl_using_subcommand nodetool" -s q -l quiet -d 'Print only errors, warnings and the data asked for'
complete -c casctl -n "__fish_casctl_using_subcommand nodetool" -s v -l verbose -d 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
complete -c casctl -n "__fish_casctl_using_subcommand nodetool" -s h -l help -d 'Print help'
complete -c casctl -n "__fish_casctl_using_subcommand nodetool" -s V -l version -d 'Print version'
complete -c casctl -n "__fish_casctl_using_subcommand restart" -l rack -d 'Restart only the pods of this rack' -r
complete -c casctl -n "__fish_casctl_using_subcommand restart" -l pod -d 'Restart only this pod' -r
complete -c casctl -n "__fish_casctl_using_subcommand restart" -l timeout -d 'How long the whole restart may take, e.g. 30m, 1h' -r
complete -c casctl -n "__fish_casctl_using_subcommand restart" -l kubeconfig -d 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c casctl -n "__fish_casctl_using_subcommand restart" -l context -d 'The kubeconfig context to use [default: the current context]' -r
complete -c casctl -n "__fish_casctl_using_subcommand restart" -s n -l namespace -d 'Namespace [default: the context\'s namespace, else `default`]' -r
complete -c casctl -n "__fish_casctl_using_subcommand restart" -l name -d 'Name of the Service, the StatefulSet and the pod prefix' -r
complete -c casctl -n "__fish_casctl_using_subcommand restart" -l color -d 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c casctl -n "__fish_casctl_using_subcommand restart" -l force -d 'Restart even when some ring node is not Up/Normal (each step then waits only for the restarted node)'
complete -c casctl -n "__fish_casctl_using_subcommand restart" -l wait-for-lock -d 'When another command holds the ring\'s lock, wait for it instead of refusing'
complete -c casctl -n "__fish_casctl_using_subcommand restart" -s q -l quiet -d 'Print only errors, warnings and the data asked for'
complete -c casctl -n "__fish_casctl_using_subcommand restart" -s v -l verbose -d 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
complete -c casctl -n "__fish_casctl_using_subcommand restart" -s h -l help -d 'Print help'
complete -c casctl -n "__fish_casctl_using_subcommand restart" -s V -l version -d 'Print version'
complete -c casctl -n "__fish_casctl_using_subcommand rbac" -l service-account -d 'Bind a service account of the namespace (-n)' -r
complete -c casctl -n "__fish_casctl_using_subcommand rbac" -l user -d 'Bind a user, by the name the API server authenticates it as' -r
complete -c casctl -n "__fish_casctl_using_subcommand rbac" -l kubeconfig -d 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c casctl -n "__fish_casctl_using_subcommand rbac" -l context -d 'The kubeconfig context to use [default: the current context]' -r
complete -c casctl -n "__fish_casctl_using_subcommand rbac" -s n -l namespace -d 'Namespace [default: the context\'s namespace, else `default`]' -r
complete -c casctl -n "__fish_casctl_using_subcommand rbac" -l name -d 'Name of the Service, the StatefulSet and the pod prefix' -r
complete -c casctl -n "__fish_casctl_using_subcommand rbac" -l color -d 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c casctl -n "__fish_casctl_using_subcommand rbac" -s q -l quiet -d 'Print only errors, warnings and the data asked for'
complete -c casctl -n "__fish_casctl_using_subcommand rbac" -s v -l verbose -d 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
complete -c casctl -n "__fish_casctl_using_subcommand rbac" -s h -l help -d 'Print help'
complete -c casctl -n "__fish_casctl_using_subcommand rbac" -s V -l version -d 'Print version'
complete -c casctl -n "__fish_casctl_using_subcommand completions" -l kubeconfig -d 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c casctl -n "__fish_casctl_using_subcommand completions" -l context -d 'The kubeconfig context to use [default: the current context]' -r
complete -c casctl -n "__fish_casctl_using_subcommand completions" -s n -l namespace -d 'Namespace [default: the context\'s namespace, else `default`]' -r
complete -c casctl -n "__fish_casctl_using_subcommand completions" -l name -d 'Name of the Service, the StatefulSet and the pod prefix' -r
complete -c casctl -n "__fish_casctl_using_subcommand completions" -l color -d 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c casctl -n "__fish_casctl_using_subcommand completions" -s q -l quiet -d 'Print only errors, warnings and the data asked for'
complete -c casctl -n "__fish_casctl_using_subcommand completions" -s v -l verbose -d 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
complete -c casctl -n "__fish_casctl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c casctl -n "__fish_casctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c casctl -n "__fish_casctl_using_subcommand man" -l kubeconfig -d 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c casctl -n "__fish_casctl_using_subcommand man" -l context -d 'The kubeconfig context to use [default: the current context]' -r
complete -c casctl -n "__fish_casctl_using_subcommand man" -s n -l namespace -d 'Namespace [default: the context\'s namespace, else `default`]' -r
complete -c casctl -n "__fish_casctl_using_subcommand man" -l name -d 'Name of the Service, the StatefulSet and the pod prefix' -r
complete -c casctl -n "__fish_casctl_using_subcommand man" -l color -d 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c casctl -n "__fish_casctl_using_subcommand man" -s q -l quiet -d 'Print only errors, warnings and the data asked for'
complete -c casctl -n "__fish_casctl_using_subcommand man" -s v -l verbose -d 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
complete -c casctl -n "__fish_casctl_using_subcommand man" -s h -l help -d 'Print help'
complete -c casctl -n "__fish_casctl_using_subcommand man" -s V -l version -d 'Print version'
complete -c casctl -n "__fish_casctl_using_subcommand help; and not __fish_seen_subcommand_from render up status scale down nodetool restart rbac completions man help" -f -a "render" -d 'Print the objects `up` would apply (needs no cluster)'
complete -c casctl -n "__fish_casctl_using_subcommand help; and not __fish_seen_subcommand_from render up status scale down nodetool restart rbac completions man help" -f -a "up" -d 'Preflight, apply the Service and the StatefulSet, and follow the rollout to completion'
complete -c casctl -n "__fish_casctl_using_subcommand help; and not __fish_seen_subcommand_from render up status scale down nodetool restart rbac completions man help" -f -a "status" -d 'Show the Service, the StatefulSet, the pods and the ring, with warnings where they disagree'
complete -c casctl -n "__fish_casctl_using_subcommand help; and not __fish_seen_subcommand_from render up status scale down nodetool restart rbac completions man help" -f -a "scale" -d 'Grow or shrink the ring; shrinking decommissions the highest ordinals first'
complete -c casctl -n "__fish_casctl_using_subcommand help; and not __fish_seen_subcommand_from render up status scale down nodetool restart rbac completions man help" -f -a "down" -d 'Tear the ring down, waiting for the pods to be gone; volumes are kept unless purged'
complete -c casctl -n "__fish_casctl_using_subcommand help; and not __fish_seen_subcommand_from render up status scale down nodetool restart rbac completions man help" -f -a "nodetool" -d 'Run nodetool in a pod; its output and exit code are passed through'
complete -c casctl -n "__fish_casctl_using_subcommand help; and not __fish_seen_subcommand_from render up status scale down nodetool restart rbac completions man help" -f -a "restart" -d 'Restart the pods one at a time: drain, delete, wait until the ring is whole again'
complete -c casctl -n "__fish_casctl_using_subcommand help; and not __fish_seen_subcommand_from render up status scale down nodetool restart rbac completions man help" -f -a "rbac" -d 'Print the least-privilege Role, ClusterRole and bindings every command needs, as YAML for `kubectl apply -f -` (needs no cluster)'
complete -c casctl -n "__fish_casctl_using_subcommand help; and not __fish_seen_subcommand_from render up status scale down nodetool restart rbac completions man help" -f -a "completions" -d 'Print a shell completion script for the `casctl` command'
complete -c casctl -n "__fish_casctl_using_subcommand help; and not __fish_seen_subcommand_from render up status scale down nodetool restart rbac completions man help" -f -a "man" -d 'Print the man page (roff)'
complete -c casctl -n "__fish_casctl_using_subcommand help; and not __fish_seen_subcommand_from render up status scale down nodetool restart rbac completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'


using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'casctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'casctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'casctl' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the Service, the StatefulSet and the pod prefix')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('render', 'render', [CompletionResultType]::ParameterValue, 'Print the objects `up` would apply (needs no cluster)')
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Preflight, apply the Service and the StatefulSet, and follow the rollout to completion')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the Service, the StatefulSet, the pods and the ring, with warnings where they disagree')
            [CompletionResult]::new('scale', 'scale', [CompletionResultType]::ParameterValue, 'Grow or shrink the ring; shrinking decommissions the highest ordinals first')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Tear the ring down, waiting for the pods to be gone; volumes are kept unless purged')
            [CompletionResult]::new('nodetool', 'nodetool', [CompletionResultType]::ParameterValue, 'Run nodetool in a pod; its output and exit code are passed through')
            [CompletionResult]::new('restart', 'restart', [CompletionResultType]::ParameterValue, 'Restart the pods one at a time: drain, delete, wait until the ring is whole again')
            [CompletionResult]::new('rbac', 'rbac', [CompletionResultType]::ParameterValue, 'Print the least-privilege Role, ClusterRole and bindings every command needs, as YAML for `kubectl apply -f -` (needs no cluster)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script for the `casctl` command')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'casctl;render' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--replicas', '--replicas', [CompletionResultType]::ParameterName, 'Number of Cassandra nodes, 1 to 1000 [template: 3]')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'Container image, [REGISTRY/]REPOSITORY[:TAG][@sha256:DIGEST] with a lower-case repository [template: gcr.io/google-samples/cassandra:v13]')
            [CompletionResult]::new('--cluster-name', '--cluster-name', [CompletionResultType]::ParameterName, 'CASSANDRA_CLUSTER_NAME [template: K8Demo]')
            [CompletionResult]::new('--dc', '--dc', [CompletionResultType]::ParameterName, 'CASSANDRA_DC [template: DC1-K8Demo]')
            [CompletionResult]::new('--rack', '--rack', [CompletionResultType]::ParameterName, 'CASSANDRA_RACK [template: Rack1-K8Demo]')
            [CompletionResult]::new('--num-tokens', '--num-tokens', [CompletionResultType]::ParameterName, 'CASSANDRA_NUM_TOKENS, vnodes per node, 1 to 1536 [template: 32]')
            [CompletionResult]::new('--rpc-address', '--rpc-address', [CompletionResultType]::ParameterName, 'CASSANDRA_RPC_ADDRESS, an IPv4 or IPv6 address [template: 0.0.0.0]')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Any other variable the image''s run.sh reads, e.g. CASSANDRA_AUTO_BOOTSTRAP=false (repeatable; overrides the values above)')
            [CompletionResult]::new('--heap-max', '--heap-max', [CompletionResultType]::ParameterName, 'MAX_HEAP_SIZE, a JVM size such as 512M or 4G [template: 512M]')
            [CompletionResult]::new('--heap-new', '--heap-new', [CompletionResultType]::ParameterName, 'HEAP_NEWSIZE, a JVM size such as 100M [template: 100M]')
            [CompletionResult]::new('--cpu', '--cpu', [CompletionResultType]::ParameterName, 'CPU request and limit, e.g. 500m or 2 [template: 500m]')
            [CompletionResult]::new('--memory', '--memory', [CompletionResultType]::ParameterName, 'Memory request and limit, e.g. 1Gi or 4Gi [template: 1Gi]')
            [CompletionResult]::new('--storage-class', '--storage-class', [CompletionResultType]::ParameterName, 'StorageClass of the data volumes, or '''' for no class: the claims then bind only volumes that have no class [template: fast]')
            [CompletionResult]::new('--storage-size', '--storage-size', [CompletionResultType]::ParameterName, 'Size of each data volume [template: 1Gi]')
            [CompletionResult]::new('--cluster-domain', '--cluster-domain', [CompletionResultType]::ParameterName, 'Cluster DNS domain, used in the seed address')
            [CompletionResult]::new('--templates', '--templates', [CompletionResultType]::ParameterName, 'Directory with your own service.yaml and statefulset.yaml (and optionally storageclass.yaml) to use as the base instead of the built-in ones')
            [CompletionResult]::new('--racks', '--racks', [CompletionResultType]::ParameterName, 'Racks, e.g. r1,r2,r3: one StatefulSet <name>-<rack> each, CASSANDRA_RACK=<rack>, pinned to a zone each when there are enough [default: one rack, the tutorial''s StatefulSet]')
            [CompletionResult]::new('--zone-label', '--zone-label', [CompletionResultType]::ParameterName, 'Node label whose values are the zones racks are pinned to')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the Service, the StatefulSet and the pod prefix')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)')
            [CompletionResult]::new('--create-storage-class', '--create-storage-class', [CompletionResultType]::ParameterName, 'Also render the tutorial''s StorageClass (as `up --create-storage-class` would apply)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'casctl;up' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long the whole command may take (preflight, apply, rollout, cleanup), e.g. 30s, 5m, 1h or 1m30s')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would be applied')
            [CompletionResult]::new('--replicas', '--replicas', [CompletionResultType]::ParameterName, 'Number of Cassandra nodes, 1 to 1000 [template: 3]')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'Container image, [REGISTRY/]REPOSITORY[:TAG][@sha256:DIGEST] with a lower-case repository [template: gcr.io/google-samples/cassandra:v13]')
            [CompletionResult]::new('--cluster-name', '--cluster-name', [CompletionResultType]::ParameterName, 'CASSANDRA_CLUSTER_NAME [template: K8Demo]')
            [CompletionResult]::new('--dc', '--dc', [CompletionResultType]::ParameterName, 'CASSANDRA_DC [template: DC1-K8Demo]')
            [CompletionResult]::new('--rack', '--rack', [CompletionResultType]::ParameterName, 'CASSANDRA_RACK [template: Rack1-K8Demo]')
            [CompletionResult]::new('--num-tokens', '--num-tokens', [CompletionResultType]::ParameterName, 'CASSANDRA_NUM_TOKENS, vnodes per node, 1 to 1536 [template: 32]')
            [CompletionResult]::new('--rpc-address', '--rpc-address', [CompletionResultType]::ParameterName, 'CASSANDRA_RPC_ADDRESS, an IPv4 or IPv6 address [template: 0.0.0.0]')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Any other variable the image''s run.sh reads, e.g. CASSANDRA_AUTO_BOOTSTRAP=false (repeatable; overrides the values above)')
            [CompletionResult]::new('--heap-max', '--heap-max', [CompletionResultType]::ParameterName, 'MAX_HEAP_SIZE, a JVM size such as 512M or 4G [template: 512M]')
            [CompletionResult]::new('--heap-new', '--heap-new', [CompletionResultType]::ParameterName, 'HEAP_NEWSIZE, a JVM size such as 100M [template: 100M]')
            [CompletionResult]::new('--cpu', '--cpu', [CompletionResultType]::ParameterName, 'CPU request and limit, e.g. 500m or 2 [template: 500m]')
            [CompletionResult]::new('--memory', '--memory', [CompletionResultType]::ParameterName, 'Memory request and limit, e.g. 1Gi or 4Gi [template: 1Gi]')
            [CompletionResult]::new('--storage-class', '--storage-class', [CompletionResultType]::ParameterName, 'StorageClass of the data volumes, or '''' for no class: the claims then bind only volumes that have no class [template: fast]')
            [CompletionResult]::new('--storage-size', '--storage-size', [CompletionResultType]::ParameterName, 'Size of each data volume [template: 1Gi]')
            [CompletionResult]::new('--cluster-domain', '--cluster-domain', [CompletionResultType]::ParameterName, 'Cluster DNS domain, used in the seed address')
            [CompletionResult]::new('--templates', '--templates', [CompletionResultType]::ParameterName, 'Directory with your own service.yaml and statefulset.yaml (and optionally storageclass.yaml) to use as the base instead of the built-in ones')
            [CompletionResult]::new('--racks', '--racks', [CompletionResultType]::ParameterName, 'Racks, e.g. r1,r2,r3: one StatefulSet <name>-<rack> each, CASSANDRA_RACK=<rack>, pinned to a zone each when there are enough [default: one rack, the tutorial''s StatefulSet]')
            [CompletionResult]::new('--zone-label', '--zone-label', [CompletionResultType]::ParameterName, 'Node label whose values are the zones racks are pinned to')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the Service, the StatefulSet and the pod prefix')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Apply and return without waiting for the rollout')
            [CompletionResult]::new('--no-ring-check', '--no-ring-check', [CompletionResultType]::ParameterName, 'Consider the rollout complete without checking the ring with nodetool')
            [CompletionResult]::new('--create-storage-class', '--create-storage-class', [CompletionResultType]::ParameterName, 'Create the tutorial''s StorageClass (minikube''s hostpath provisioner) first')
            [CompletionResult]::new('--force-conflicts', '--force-conflicts', [CompletionResultType]::ParameterName, 'Take over fields that another field manager owns')
            [CompletionResult]::new('--no-cleanup', '--no-cleanup', [CompletionResultType]::ParameterName, 'After the ring grew, do not run `nodetool cleanup` on the nodes that were there before')
            [CompletionResult]::new('--wait-for-lock', '--wait-for-lock', [CompletionResultType]::ParameterName, 'When another command holds the ring''s lock, wait for it instead of refusing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'casctl;status' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the Service, the StatefulSet and the pod prefix')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)')
            [CompletionResult]::new('--no-ring', '--no-ring', [CompletionResultType]::ParameterName, 'Do not run `nodetool status` in a pod')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'casctl;scale' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the whole change, e.g. 30s, 5m, 1h or 1m30s')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the Service, the StatefulSet and the pod prefix')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)')
            [CompletionResult]::new('--skip-decommission', '--skip-decommission', [CompletionResultType]::ParameterName, 'Shrink without `nodetool decommission` (the removed nodes stay DN in the ring)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Scale down even when some ring node is not Up/Normal, or below a keyspace''s replication factor (then with `nodetool decommission --force`)')
            [CompletionResult]::new('--no-cleanup', '--no-cleanup', [CompletionResultType]::ParameterName, 'After the ring grew, do not run `nodetool cleanup` on the nodes that were there before')
            [CompletionResult]::new('--no-ring-check', '--no-ring-check', [CompletionResultType]::ParameterName, 'Consider scale-up complete without checking the ring with nodetool')
            [CompletionResult]::new('--wait-for-lock', '--wait-for-lock', [CompletionResultType]::ParameterName, 'When another command holds the ring''s lock, wait for it instead of refusing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'casctl;down' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the pods to terminate, e.g. 30s, 5m, 1h or 1m30s [default: the grace period plus a margin]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the Service, the StatefulSet and the pod prefix')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)')
            [CompletionResult]::new('--purge-volumes', '--purge-volumes', [CompletionResultType]::ParameterName, 'Also delete the data volumes (PersistentVolumeClaims) once every pod is gone')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation before purging volumes (only with --purge-volumes)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation before purging volumes (only with --purge-volumes)')
            [CompletionResult]::new('--wait-for-lock', '--wait-for-lock', [CompletionResultType]::ParameterName, 'When another command holds the ring''s lock, wait for it instead of refusing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'casctl;nodetool' {
            [CompletionResult]::new('--pod', '--pod', [CompletionResultType]::ParameterName, 'Pod to run in [default: the first Ready pod, <name>-0 preferred]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long nodetool may run, e.g. 30s, 5m or 1m30s')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the Service, the StatefulSet and the pod prefix')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'casctl;restart' {
            [CompletionResult]::new('--rack', '--rack', [CompletionResultType]::ParameterName, 'Restart only the pods of this rack')
            [CompletionResult]::new('--pod', '--pod', [CompletionResultType]::ParameterName, 'Restart only this pod')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long the whole restart may take, e.g. 30m, 1h')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the Service, the StatefulSet and the pod prefix')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Restart even when some ring node is not Up/Normal (each step then waits only for the restarted node)')
            [CompletionResult]::new('--wait-for-lock', '--wait-for-lock', [CompletionResultType]::ParameterName, 'When another command holds the ring''s lock, wait for it instead of refusing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'casctl;rbac' {
            [CompletionResult]::new('--service-account', '--service-account', [CompletionResultType]::ParameterName, 'Bind a service account of the namespace (-n)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Bind a user, by the name the API server authenticates it as')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the Service, the StatefulSet and the pod prefix')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'casctl;completions' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the Service, the StatefulSet and the pod prefix')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'casctl;man' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace [default: the context''s namespace, else `default`]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the Service, the StatefulSet and the pod prefix')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors, warnings and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'casctl;help' {
            [CompletionResult]::new('render', 'render', [CompletionResultType]::ParameterValue, 'Print the objects `up` would apply (needs no cluster)')
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Preflight, apply the Service and the StatefulSet, and follow the rollout to completion')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the Service, the StatefulSet, the pods and the ring, with warnings where they disagree')
            [CompletionResult]::new('scale', 'scale', [CompletionResultType]::ParameterValue, 'Grow or shrink the ring; shrinking decommissions the highest ordinals first')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Tear the ring down, waiting for the pods to be gone; volumes are kept unless purged')
            [CompletionResult]::new('nodetool', 'nodetool', [CompletionResultType]::ParameterValue, 'Run nodetool in a pod; its output and exit code are passed through')
            [CompletionResult]::new('restart', 'restart', [CompletionResultType]::ParameterValue, 'Restart the pods one at a time: drain, delete, wait until the ring is whole again')
            [CompletionResult]::new('rbac', 'rbac', [CompletionResultType]::ParameterValue, 'Print the least-privilege Role, ClusterRole and bindings every command needs, as YAML for `kubectl apply -f -` (needs no cluster)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script for the `casctl` command')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'casctl;help;render' {
            break
        }
        'casctl;help;up' {
            break
        }
        'casctl;help;status' {
            break
        }
        'casctl;help;scale' {
            break
        }
        'casctl;help;down' {
            break
        }
        'casctl;help;nodetool' {
            break
        }
        'casctl;help;restart' {
            break
        }
        'casctl;help;rbac' {
            break
        }
        'casctl;help;completions' {
            break
        }
        'casctl;help;man' {
            break
        }
        'casctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}

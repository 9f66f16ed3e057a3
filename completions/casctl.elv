
use builtin;
use str;

set edit:completion:arg-completer[casctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'casctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'casctl'= {
            cand --kubeconfig 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]'
            cand --context 'The kubeconfig context to use [default: the current context]'
            cand -n 'Namespace [default: the context''s namespace, else `default`]'
            cand --namespace 'Namespace [default: the context''s namespace, else `default`]'
            cand --name 'Name of the Service, the StatefulSet and the pod prefix'
            cand --color 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)'
            cand -q 'Print only errors, warnings and the data asked for'
            cand --quiet 'Print only errors, warnings and the data asked for'
            cand -v 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand --verbose 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand render 'Print the objects `up` would apply (needs no cluster)'
            cand up 'Preflight, apply the Service and the StatefulSet, and follow the rollout to completion'
            cand status 'Show the Service, the StatefulSet, the pods and the ring, with warnings where they disagree'
            cand scale 'Grow or shrink the ring; shrinking decommissions the highest ordinals first'
            cand down 'Tear the ring down, waiting for the pods to be gone; volumes are kept unless purged'
            cand nodetool 'Run nodetool in a pod; its output and exit code are passed through'
            cand restart 'Restart the pods one at a time: drain, delete, wait until the ring is whole again'
            cand rbac 'Print the least-privilege Role, ClusterRole and bindings every command needs, as YAML for `kubectl apply -f -` (needs no cluster)'
            cand completions 'Print a shell completion script for the `casctl` command'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'casctl;render'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --replicas 'Number of Cassandra nodes, 1 to 1000 [template: 3]'
            cand --image 'Container image, [REGISTRY/]REPOSITORY[:TAG][@sha256:DIGEST] with a lower-case repository [template: gcr.io/google-samples/cassandra:v13]'
            cand --cluster-name 'CASSANDRA_CLUSTER_NAME [template: K8Demo]'
            cand --dc 'CASSANDRA_DC [template: DC1-K8Demo]'
            cand --rack 'CASSANDRA_RACK [template: Rack1-K8Demo]'
            cand --num-tokens 'CASSANDRA_NUM_TOKENS, vnodes per node, 1 to 1536 [template: 32]'
            cand --rpc-address 'CASSANDRA_RPC_ADDRESS, an IPv4 or IPv6 address [template: 0.0.0.0]'
            cand --env 'Any other variable the image''s run.sh reads, e.g. CASSANDRA_AUTO_BOOTSTRAP=false (repeatable; overrides the values above)'
            cand --heap-max 'MAX_HEAP_SIZE, a JVM size such as 512M or 4G [template: 512M]'
            cand --heap-new 'HEAP_NEWSIZE, a JVM size such as 100M [template: 100M]'
            cand --cpu 'CPU request and limit, e.g. 500m or 2 [template: 500m]'
            cand --memory 'Memory request and limit, e.g. 1Gi or 4Gi [template: 1Gi]'
            cand --storage-class 'StorageClass of the data volumes, or '''' for no class: the claims then bind only volumes that have no class [template: fast]'
            cand --storage-size 'Size of each data volume [template: 1Gi]'
            cand --cluster-domain 'Cluster DNS domain, used in the seed address'
            cand --templates 'Directory with your own service.yaml and statefulset.yaml (and optionally storageclass.yaml) to use as the base instead of the built-in ones'
            cand --racks 'Racks, e.g. r1,r2,r3: one StatefulSet <name>-<rack> each, CASSANDRA_RACK=<rack>, pinned to a zone each when there are enough [default: one rack, the tutorial''s StatefulSet]'
            cand --zone-label 'Node label whose values are the zones racks are pinned to'
            cand --kubeconfig 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]'
            cand --context 'The kubeconfig context to use [default: the current context]'
            cand -n 'Namespace [default: the context''s namespace, else `default`]'
            cand --namespace 'Namespace [default: the context''s namespace, else `default`]'
            cand --name 'Name of the Service, the StatefulSet and the pod prefix'
            cand --color 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)'
            cand --create-storage-class 'Also render the tutorial''s StorageClass (as `up --create-storage-class` would apply)'
            cand -q 'Print only errors, warnings and the data asked for'
            cand --quiet 'Print only errors, warnings and the data asked for'
            cand -v 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand --verbose 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'casctl;up'= {
            cand --timeout 'How long the whole command may take (preflight, apply, rollout, cleanup), e.g. 30s, 5m, 1h or 1m30s'
            cand --dry-run 'Only show what would be applied'
            cand --replicas 'Number of Cassandra nodes, 1 to 1000 [template: 3]'
            cand --image 'Container image, [REGISTRY/]REPOSITORY[:TAG][@sha256:DIGEST] with a lower-case repository [template: gcr.io/google-samples/cassandra:v13]'
            cand --cluster-name 'CASSANDRA_CLUSTER_NAME [template: K8Demo]'
            cand --dc 'CASSANDRA_DC [template: DC1-K8Demo]'
            cand --rack 'CASSANDRA_RACK [template: Rack1-K8Demo]'
            cand --num-tokens 'CASSANDRA_NUM_TOKENS, vnodes per node, 1 to 1536 [template: 32]'
            cand --rpc-address 'CASSANDRA_RPC_ADDRESS, an IPv4 or IPv6 address [template: 0.0.0.0]'
            cand --env 'Any other variable the image''s run.sh reads, e.g. CASSANDRA_AUTO_BOOTSTRAP=false (repeatable; overrides the values above)'
            cand --heap-max 'MAX_HEAP_SIZE, a JVM size such as 512M or 4G [template: 512M]'
            cand --heap-new 'HEAP_NEWSIZE, a JVM size such as 100M [template: 100M]'
            cand --cpu 'CPU request and limit, e.g. 500m or 2 [template: 500m]'
            cand --memory 'Memory request and limit, e.g. 1Gi or 4Gi [template: 1Gi]'
            cand --storage-class 'StorageClass of the data volumes, or '''' for no class: the claims then bind only volumes that have no class [template: fast]'
            cand --storage-size 'Size of each data volume [template: 1Gi]'
            cand --cluster-domain 'Cluster DNS domain, used in the seed address'
            cand --templates 'Directory with your own service.yaml and statefulset.yaml (and optionally storageclass.yaml) to use as the base instead of the built-in ones'
            cand --racks 'Racks, e.g. r1,r2,r3: one StatefulSet <name>-<rack> each, CASSANDRA_RACK=<rack>, pinned to a zone each when there are enough [default: one rack, the tutorial''s StatefulSet]'
            cand --zone-label 'Node label whose values are the zones racks are pinned to'
            cand --kubeconfig 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]'
            cand --context 'The kubeconfig context to use [default: the current context]'
            cand -n 'Namespace [default: the context''s namespace, else `default`]'
            cand --namespace 'Namespace [default: the context''s namespace, else `default`]'
            cand --name 'Name of the Service, the StatefulSet and the pod prefix'
            cand --color 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)'
            cand --no-wait 'Apply and return without waiting for the rollout'
            cand --no-ring-check 'Consider the rollout complete without checking the ring with nodetool'
            cand --create-storage-class 'Create the tutorial''s StorageClass (minikube''s hostpath provisioner) first'
            cand --force-conflicts 'Take over fields that another field manager owns'
            cand --no-cleanup 'After the ring grew, do not run `nodetool cleanup` on the nodes that were there before'
            cand --wait-for-lock 'When another command holds the ring''s lock, wait for it instead of refusing'
            cand -q 'Print only errors, warnings and the data asked for'
            cand --quiet 'Print only errors, warnings and the data asked for'
            cand -v 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand --verbose 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'casctl;status'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --kubeconfig 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]'
            cand --context 'The kubeconfig context to use [default: the current context]'
            cand -n 'Namespace [default: the context''s namespace, else `default`]'
            cand --namespace 'Namespace [default: the context''s namespace, else `default`]'
            cand --name 'Name of the Service, the StatefulSet and the pod prefix'
            cand --color 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)'
            cand --no-ring 'Do not run `nodetool status` in a pod'
            cand -q 'Print only errors, warnings and the data asked for'
            cand --quiet 'Print only errors, warnings and the data asked for'
            cand -v 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand --verbose 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'casctl;scale'= {
            cand --timeout 'How long to wait for the whole change, e.g. 30s, 5m, 1h or 1m30s'
            cand --kubeconfig 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]'
            cand --context 'The kubeconfig context to use [default: the current context]'
            cand -n 'Namespace [default: the context''s namespace, else `default`]'
            cand --namespace 'Namespace [default: the context''s namespace, else `default`]'
            cand --name 'Name of the Service, the StatefulSet and the pod prefix'
            cand --color 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)'
            cand --skip-decommission 'Shrink without `nodetool decommission` (the removed nodes stay DN in the ring)'
            cand --force 'Scale down even when some ring node is not Up/Normal, or below a keyspace''s replication factor (then with `nodetool decommission --force`)'
            cand --no-cleanup 'After the ring grew, do not run `nodetool cleanup` on the nodes that were there before'
            cand --no-ring-check 'Consider scale-up complete without checking the ring with nodetool'
            cand --wait-for-lock 'When another command holds the ring''s lock, wait for it instead of refusing'
            cand -q 'Print only errors, warnings and the data asked for'
            cand --quiet 'Print only errors, warnings and the data asked for'
            cand -v 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand --verbose 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'casctl;down'= {
            cand --timeout 'How long to wait for the pods to terminate, e.g. 30s, 5m, 1h or 1m30s [default: the grace period plus a margin]'
            cand --kubeconfig 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]'
            cand --context 'The kubeconfig context to use [default: the current context]'
            cand -n 'Namespace [default: the context''s namespace, else `default`]'
            cand --namespace 'Namespace [default: the context''s namespace, else `default`]'
            cand --name 'Name of the Service, the StatefulSet and the pod prefix'
            cand --color 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)'
            cand --purge-volumes 'Also delete the data volumes (PersistentVolumeClaims) once every pod is gone'
            cand -y 'Do not ask for confirmation before purging volumes (only with --purge-volumes)'
            cand --yes 'Do not ask for confirmation before purging volumes (only with --purge-volumes)'
            cand --wait-for-lock 'When another command holds the ring''s lock, wait for it instead of refusing'
            cand -q 'Print only errors, warnings and the data asked for'
            cand --quiet 'Print only errors, warnings and the data asked for'
            cand -v 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand --verbose 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'casctl;nodetool'= {
            cand --pod 'Pod to run in [default: the first Ready pod, <name>-0 preferred]'
            cand --timeout 'How long nodetool may run, e.g. 30s, 5m or 1m30s'
            cand --kubeconfig 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]'
            cand --context 'The kubeconfig context to use [default: the current context]'
            cand -n 'Namespace [default: the context''s namespace, else `default`]'
            cand --namespace 'Namespace [default: the context''s namespace, else `default`]'
            cand --name 'Name of the Service, the StatefulSet and the pod prefix'
            cand --color 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)'
            cand -q 'Print only errors, warnings and the data asked for'
            cand --quiet 'Print only errors, warnings and the data asked for'
            cand -v 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand --verbose 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'casctl;restart'= {
            cand --rack 'Restart only the pods of this rack'
            cand --pod 'Restart only this pod'
            cand --timeout 'How long the whole restart may take, e.g. 30m, 1h'
            cand --kubeconfig 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]'
            cand --context 'The kubeconfig context to use [default: the current context]'
            cand -n 'Namespace [default: the context''s namespace, else `default`]'
            cand --namespace 'Namespace [default: the context''s namespace, else `default`]'
            cand --name 'Name of the Service, the StatefulSet and the pod prefix'
            cand --color 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)'
            cand --force 'Restart even when some ring node is not Up/Normal (each step then waits only for the restarted node)'
            cand --wait-for-lock 'When another command holds the ring''s lock, wait for it instead of refusing'
            cand -q 'Print only errors, warnings and the data asked for'
            cand --quiet 'Print only errors, warnings and the data asked for'
            cand -v 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand --verbose 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'casctl;rbac'= {
            cand --service-account 'Bind a service account of the namespace (-n)'
            cand --user 'Bind a user, by the name the API server authenticates it as'
            cand --kubeconfig 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]'
            cand --context 'The kubeconfig context to use [default: the current context]'
            cand -n 'Namespace [default: the context''s namespace, else `default`]'
            cand --namespace 'Namespace [default: the context''s namespace, else `default`]'
            cand --name 'Name of the Service, the StatefulSet and the pod prefix'
            cand --color 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)'
            cand -q 'Print only errors, warnings and the data asked for'
            cand --quiet 'Print only errors, warnings and the data asked for'
            cand -v 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand --verbose 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'casctl;completions'= {
            cand --kubeconfig 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]'
            cand --context 'The kubeconfig context to use [default: the current context]'
            cand -n 'Namespace [default: the context''s namespace, else `default`]'
            cand --namespace 'Namespace [default: the context''s namespace, else `default`]'
            cand --name 'Name of the Service, the StatefulSet and the pod prefix'
            cand --color 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)'
            cand -q 'Print only errors, warnings and the data asked for'
            cand --quiet 'Print only errors, warnings and the data asked for'
            cand -v 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand --verbose 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'casctl;man'= {
            cand --kubeconfig 'Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]'
            cand --context 'The kubeconfig context to use [default: the current context]'
            cand -n 'Namespace [default: the context''s namespace, else `default`]'
            cand --namespace 'Namespace [default: the context''s namespace, else `default`]'
            cand --name 'Name of the Service, the StatefulSet and the pod prefix'
            cand --color 'When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)'
            cand -q 'Print only errors, warnings and the data asked for'
            cand --quiet 'Print only errors, warnings and the data asked for'
            cand -v 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand --verbose 'Say more, on stderr: -v shows what casctl asks the API and how long each phase takes; -vv also shows every request'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'casctl;help'= {
            cand render 'Print the objects `up` would apply (needs no cluster)'
            cand up 'Preflight, apply the Service and the StatefulSet, and follow the rollout to completion'
            cand status 'Show the Service, the StatefulSet, the pods and the ring, with warnings where they disagree'
            cand scale 'Grow or shrink the ring; shrinking decommissions the highest ordinals first'
            cand down 'Tear the ring down, waiting for the pods to be gone; volumes are kept unless purged'
            cand nodetool 'Run nodetool in a pod; its output and exit code are passed through'
            cand restart 'Restart the pods one at a time: drain, delete, wait until the ring is whole again'
            cand rbac 'Print the least-privilege Role, ClusterRole and bindings every command needs, as YAML for `kubectl apply -f -` (needs no cluster)'
            cand completions 'Print a shell completion script for the `casctl` command'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'casctl;help;render'= {
        }
        &'casctl;help;up'= {
        }
        &'casctl;help;status'= {
        }
        &'casctl;help;scale'= {
        }
        &'casctl;help;down'= {
        }
        &'casctl;help;nodetool'= {
        }
        &'casctl;help;restart'= {
        }
        &'casctl;help;rbac'= {
        }
        &'casctl;help;completions'= {
        }
        &'casctl;help;man'= {
        }
        &'casctl;help;help'= {
        }
    ]
    $completions[$command]
}

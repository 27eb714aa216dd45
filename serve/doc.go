// Package serve is the lab on one page: an http.Handler that serves a
// live dashboard of a lab's resources, a status and fit API, the
// resources list itself, Prometheus metrics and a health check, over the
// same lab a lockable run uses (a core.Lockable and its resources
// source). lockable serve runs it; a team can mount it in a server of its
// own.
//
// # Contract
//
// The handler only reads. It never takes, releases or changes a lock, and
// serves nothing but the lab: the resources list as it is, and what the
// locks say of their holders; no environment, no credentials (an HTTP
// source's URL is shown masked). It follows the lab in the background from
// New until Close: it reads the lab again at every change the Lockable
// tells (core.Lockable.Changes: a lock, a release, a new resources list)
// and, while some locks have a lease (etcd) and no more than 100 do, every
// second, so that the time left and lost locks show. A reading that finds
// nothing new costs no encoding; on the lock folder, whose readings come
// every second (a crashed holder's release makes no event), one costs an
// open of each lock file: about 70 ms for 10,000 resources.
//
// Paths, relative to where the handler is mounted:
//
//	GET /                the page: one row per resource, its state, holder,
//	                     since when, fencing token and lease on etcd; a box
//	                     that tells which resources fit requirements, and why
//	                     the others do not. It follows /events, and works
//	                     without internet (plain HTML, CSS and JavaScript,
//	                     built in).
//	GET /events          server-sent events: "status" (the whole lab) first,
//	                     then "update" (what changed) after each change;
//	                     data {"version": 1, "time", "source", "error",
//	                     "status"} (EventsVersion)
//	GET /api/status      the lab as lockable status --json prints it
//	                     (core.Status, version core.StatusVersion);
//	                     ?requirements= measures each resource against them
//	GET /api/fit?requirements=R
//	                     {"version": 1, "requirements", "fitting": [ids],
//	                     "resources": [{"id", "state", "fits", "reason"}]}
//	                     (FitVersion); R is at most MaxRequirementsSize
//	                     bytes; invalid requirements are a 400 with the
//	                     parser's message
//	GET /resources.json  the resources list as the source has it, with a
//	                     strong ETag and Last-Modified; 304 to a conditional
//	                     request that holds: another lockable can use it as
//	                     its HTTP source
//	GET /metrics         Prometheus metrics (text format, or what the scraper
//	                     asks for)
//	GET /healthz         200 {"status": "ok"} while the lab can be read, 503
//	                     {"status": "degraded", "error"} while it cannot
//
// When the lab cannot be read (the list is missing or invalid, the backend
// cannot be reached), the page says why, /api/status, /api/fit and
// /resources.json answer 503 with {"error"}, and /healthz is degraded.
//
// # Metrics
//
// lockable_up, lockable_resources{state}, lockable_wait_seconds and
// lockable_hold_seconds (histograms), lockable_locks_taken_total,
// lockable_handovers_total, lockable_locks_lost_total,
// lockable_resources_list_reload_errors_total,
// lockable_lab_read_errors_total, lockable_serve_streams; and, for a lab of
// up to DefaultMaxResourceSeries resources (WithMaxResourceSeries),
// lockable_resource_state{id, state}, one series per resource. Every other
// metric has a fixed number of series, whatever the lab's size. They are
// learnt by comparing each reading of the lab with the one before; a wait
// is the time the holder's lock records, a hold ends when a reading sees
// the lock gone, a hand-over is a lock taken by a holder that asked before
// the resource was seen released, and a lost lock (etcd) is one whose
// lease ran out rather than being released (for leases of 6 s or more,
// the default being 10 s, while no more than 100 locks have a lease).
//
// # Limits
//
// Event streams are bounded (WithMaxStreams; one more is a 503 with
// Retry-After), request bodies are refused past 1 KiB (no endpoint reads
// one), and Serve sets the server's timeouts. Each event stream sends a
// comment every 15 s, so that proxies keep it open.
//
// # Example
//
//	src := provider.File("resources.json")
//	lk, err := core.New(ctx, src)
//	...
//	h := serve.New(lk, src)
//	defer h.Close() // before lk.Close
//	http.Handle("/lab/", http.StripPrefix("/lab", h))
package serve

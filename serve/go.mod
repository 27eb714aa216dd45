module github.com/go-lockable/lockable/serve

go 1.26.0

require (
	github.com/chromedp/chromedp v0.24.0
	github.com/go-lockable/lockable v0.9.0
	github.com/go-lockable/lockable/etcd v0.9.0
	github.com/prometheus/client_model v0.6.3
	// v0.72.1: the newest whose expfmt does not link pandatix/go-abnf,
	// and with it go/parser and go/printer, into the lockable command.
	github.com/prometheus/common v0.72.1
	github.com/stretchr/testify v1.12.1
	go.uber.org/goleak v1.3.0
)

require (
	github.com/chromedp/cdproto v0.160.1 // indirect
	github.com/fsnotify/fsnotify v1.10.1 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/tidwall/gjson v1.20.2 // indirect
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.3.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sys v0.49.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

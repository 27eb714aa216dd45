module github.com/go-lockable/lockable/etcd

go 1.26.0

// Released together with the lockable module; this points at the copy beside it.
replace github.com/go-lockable/lockable => ../

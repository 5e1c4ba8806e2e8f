module k8sx.local/pause

go 1.26

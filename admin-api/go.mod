module github.com/aigw/aigw/admin-api

go 1.26

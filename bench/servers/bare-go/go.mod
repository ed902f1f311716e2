module lfcs.bench/baregohttp

go 1.22

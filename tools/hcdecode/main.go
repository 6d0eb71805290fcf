// hcdecode decodes rendered HashiCorp documents strictly with the MPL-2.0 API modules of Consul and Nomad: a
// field the real agent would not know fails the decode. The program renders these documents in Python; this is
// the check that their shape is exactly what the Go clients (and so the agents' HTTP APIs) read.
//
//	hcdecode consul-service FILE...   each file is one AgentServiceRegistration (PUT /v1/agent/service/register)
//	hcdecode nomad-job FILE...        each file is a job registration request ({"Job": {...}}, POST /v1/jobs)
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	consul "github.com/hashicorp/consul/api"
	nomad "github.com/hashicorp/nomad/api"
)

func strict(path string, into any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(into); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if decoder.More() {
		return fmt.Errorf("%s: trailing data after the document", path)
	}
	return nil
}

func check(kind, path string) error {
	switch kind {
	case "consul-service":
		var service consul.AgentServiceRegistration
		if err := strict(path, &service); err != nil {
			return err
		}
		if service.Name == "" || service.Port == 0 {
			return fmt.Errorf("%s: a service needs a Name and a Port", path)
		}
	case "nomad-job":
		var request struct{ Job *nomad.Job }
		if err := strict(path, &request); err != nil {
			return err
		}
		if request.Job == nil || request.Job.ID == nil || len(request.Job.TaskGroups) == 0 {
			return fmt.Errorf("%s: a job needs an ID and at least one task group", path)
		}
		request.Job.Canonicalize()
	default:
		return fmt.Errorf("unknown kind %q (want consul-service or nomad-job)", kind)
	}
	return nil
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: hcdecode consul-service|nomad-job FILE...")
		os.Exit(2)
	}
	failed := false
	for _, path := range os.Args[2:] {
		if err := check(os.Args[1], path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

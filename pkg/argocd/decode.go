package argocd

import (
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// DecodeApplication converts an Application read through the dynamic client.
func DecodeApplication(u *unstructured.Unstructured) (Application, error) {
	var app Application
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &app); err != nil {
		return app, fmt.Errorf("decode Application %s/%s: %w", u.GetNamespace(), u.GetName(), err)
	}
	return app, nil
}

// DecodeAppProject converts an AppProject read through the dynamic client.
func DecodeAppProject(u *unstructured.Unstructured) (AppProject, error) {
	var p AppProject
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &p); err != nil {
		return p, fmt.Errorf("decode AppProject %s/%s: %w", u.GetNamespace(), u.GetName(), err)
	}
	return p, nil
}

// DecodeApplicationJSON decodes one Application straight from the JSON the
// API server sent, without the unstructured map in between: at thousands
// of Applications that map, not the bytes, was most of the memory.
func DecodeApplicationJSON(data []byte) (Application, error) {
	var app Application
	if err := json.Unmarshal(data, &app); err != nil {
		var meta struct {
			Metadata struct {
				Namespace string `json:"namespace"`
				Name      string `json:"name"`
			} `json:"metadata"`
		}
		_ = json.Unmarshal(data, &meta) // best effort, for the message
		return Application{}, fmt.Errorf("decode Application %s/%s: %w", meta.Metadata.Namespace, meta.Metadata.Name, err)
	}
	return app, nil
}

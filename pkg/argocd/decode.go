package argocd

import (
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
